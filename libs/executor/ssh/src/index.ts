export { BreakerRegistry } from './breaker-registry';
export type { BreakerPolicy, BreakerSummary } from './breaker-registry';
export { DeviceSession, connectSsh, sessionKeyOf } from './device-session';
export type {
  CommandOutput,
  ConnectOptions,
  OutputListener,
  SessionTarget,
} from './device-session';
export { HostKeyPolicy, fingerprintOf, parseKnownHosts } from './host-key-policy';
export type { HostKeyPolicyOptions, KnownHostsMode } from './host-key-policy';
export { SessionPool } from './session-pool';
export type { SessionPoolOptions, SessionUse } from './session-pool';
export { SshDeviceRunner } from './ssh-device-runner';
export type { RunObserver } from './ssh-device-runner';

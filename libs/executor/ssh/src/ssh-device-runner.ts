import type { DeviceRunInput, DeviceRunOutput, DeviceRunner } from '@toolkit/executor-domain';
import type { BreakerRegistry } from './breaker-registry';
import type { SessionPool } from './session-pool';

export interface RunObserver {
  /** A new SSH session was opened (ms from TCP connect to a usable prompt). */
  connected?(platform: string, connectMs: number): void;
}

/** DeviceRunner over SSH: the device's breaker around a pooled session. */
export class SshDeviceRunner implements DeviceRunner {
  constructor(
    private readonly pool: SessionPool,
    private readonly breakers: BreakerRegistry,
    private readonly observer: RunObserver = {},
  ) {}

  async run(input: DeviceRunInput): Promise<DeviceRunOutput> {
    const deviceKey = `${input.host}:${input.port}`;
    const used = await this.breakers.fire(deviceKey, input.deviceName, () =>
      this.pool.use(
        {
          host: input.host,
          port: input.port,
          platform: input.platform,
          credentials: input.credentials,
        },
        (session) => session.run(input.commandType, input.command, input.timeoutMs),
      ),
    );
    if (used.connectMs !== null) this.observer.connected?.(input.platform, used.connectMs);
    return { ...used.value, connectMs: used.connectMs };
  }
}

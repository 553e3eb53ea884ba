import { DeviceRunError } from '@toolkit/executor-domain';
import type { DeviceRunInput, DeviceRunOutput, DeviceRunner } from '@toolkit/executor-domain';
import type { BreakerRegistry } from './breaker-registry';
import { expiredWhileWaiting } from './session-pool';
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

  /**
   * `timeoutMs` bounds the whole run: waiting for the device's slot and connecting count
   * against it, and the command gets what is left.
   */
  async run(input: DeviceRunInput): Promise<DeviceRunOutput> {
    const deadline = Date.now() + input.timeoutMs;
    const deviceKey = `${input.host}:${input.port}`;
    const used = await this.breakers.fire(deviceKey, input.deviceName, () =>
      this.pool.use(
        {
          host: input.host,
          port: input.port,
          platform: input.platform,
          credentials: input.credentials,
        },
        (session, connected) => {
          const left = deadline - Date.now();
          // A new session that used up the time connecting: the device was slow. A reused
          // one: the time went waiting for the device's earlier commands.
          if (left <= 0 && connected)
            throw new DeviceRunError({
              errorClass: 'connect_timeout',
              message: 'The timeout passed while the device was connected and logged in.',
            });
          if (left <= 0) throw expiredWhileWaiting("the device's earlier commands");
          return session.run(input.commandType, input.command, left, input.signal, input.onOutput);
        },
        { deadline },
      ),
    );
    if (used.connectMs !== null) this.observer.connected?.(input.platform, used.connectMs);
    return { ...used.value, connectMs: used.connectMs };
  }
}

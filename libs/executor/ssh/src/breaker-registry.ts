import { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import type { Logger } from '@toolkit/logger';
import {
  DeviceRunError,
  circuitOpenMessage,
  countsAsDeviceFailure,
  isDeviceRunError,
} from '@toolkit/executor-domain';

export interface BreakerPolicy {
  /** Share of failed calls (percent) in the window above which the breaker opens. */
  errorThresholdPercentage: number;
  /** Calls needed in the window before the share is considered. */
  volumeThreshold: number;
  /** The rolling window (ms), in 10 buckets rotated by one shared timer. */
  rollingCountTimeoutMs: number;
  /** Time open before one half-open probe is let through (ms). */
  resetTimeoutMs: number;
  /** Breakers of devices not used for this long are dropped (ms). */
  idleDropMs: number;
}

export interface BreakerSummary {
  total: number;
  open: number;
  halfOpen: number;
  openDevices: { device: string; nextProbeAt: string | null }[];
}

interface Entry {
  breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  deviceName: string;
  lastUsed: number;
  openedAt: number | undefined;
}

const BUCKETS = 10;

/**
 * One opossum breaker per device. opossum's own timeout is off: the SSH layer enforces
 * connect and command timeouts and tears the session down, so nothing runs on after a
 * timeout. Only failures that say the device is unwell count (errorFilter); one shared
 * controller rotates every breaker's buckets, and idle breakers are dropped.
 */
export class BreakerRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly rotation = new EventEmitter();
  private readonly rotateTimer: NodeJS.Timeout;
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly logger: Logger;

  constructor(
    private readonly policy: BreakerPolicy,
    logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.logger = logger.child({ module: 'breakers' });
    this.rotation.setMaxListeners(0);
    this.rotateTimer = setInterval(
      () => this.rotation.emit('rotate'),
      Math.max(10, Math.floor(policy.rollingCountTimeoutMs / BUCKETS)),
    );
    this.rotateTimer.unref();
    this.sweepTimer = setInterval(
      () => this.sweep(),
      Math.min(60_000, Math.max(1_000, policy.idleDropMs)),
    );
    this.sweepTimer.unref();
  }

  async fire<T>(deviceKey: string, deviceName: string, action: () => Promise<T>): Promise<T> {
    const entry = this.entryFor(deviceKey, deviceName);
    entry.lastUsed = this.now();
    try {
      return (await entry.breaker.fire(action)) as T;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EOPENBREAKER') {
        const next =
          entry.breaker.halfOpen || entry.openedAt === undefined
            ? null
            : new Date(entry.openedAt + this.policy.resetTimeoutMs);
        throw new DeviceRunError({
          errorClass: 'circuit_open',
          message: circuitOpenMessage(deviceName, next),
        });
      }
      throw error;
    }
  }

  summary(): BreakerSummary {
    const summary: BreakerSummary = {
      total: this.entries.size,
      open: 0,
      halfOpen: 0,
      openDevices: [],
    };
    for (const entry of this.entries.values()) {
      if (entry.breaker.halfOpen) summary.halfOpen += 1;
      else if (entry.breaker.opened) {
        summary.open += 1;
        summary.openDevices.push({
          device: entry.deviceName,
          nextProbeAt:
            entry.openedAt === undefined
              ? null
              : new Date(entry.openedAt + this.policy.resetTimeoutMs).toISOString(),
        });
      }
    }
    return summary;
  }

  /** Drops breakers of devices unused for `idleDropMs` (bounded memory). */
  sweep(): number {
    const cutoff = this.now() - this.policy.idleDropMs;
    let dropped = 0;
    for (const [key, entry] of this.entries) {
      if (entry.lastUsed < cutoff) {
        entry.breaker.shutdown();
        this.entries.delete(key);
        dropped += 1;
      }
    }
    return dropped;
  }

  shutdown(): void {
    clearInterval(this.rotateTimer);
    clearInterval(this.sweepTimer);
    for (const entry of this.entries.values()) entry.breaker.shutdown();
    this.entries.clear();
  }

  private entryFor(deviceKey: string, deviceName: string): Entry {
    const existing = this.entries.get(deviceKey);
    if (existing) return existing;
    const breaker = new CircuitBreaker<[() => Promise<unknown>], unknown>((action) => action(), {
      name: deviceKey,
      timeout: false,
      errorThresholdPercentage: this.policy.errorThresholdPercentage,
      volumeThreshold: this.policy.volumeThreshold,
      rollingCountTimeout: this.policy.rollingCountTimeoutMs,
      rollingCountBuckets: BUCKETS,
      resetTimeout: this.policy.resetTimeoutMs,
      rotateBucketController: this.rotation,
      enableSnapshots: false,
      // true = "not the device's fault": counted as a success, never opens the breaker.
      errorFilter: (error: unknown) =>
        !(isDeviceRunError(error) && countsAsDeviceFailure(error.errorClass)),
    });
    const entry: Entry = { breaker, deviceName, lastUsed: this.now(), openedAt: undefined };
    breaker.on('open', () => {
      entry.openedAt = this.now();
      this.logger.warn(
        {
          device: deviceName,
          retryAt: new Date(entry.openedAt + this.policy.resetTimeoutMs).toISOString(),
        },
        'device breaker opened',
      );
    });
    breaker.on('halfOpen', () =>
      this.logger.info({ device: deviceName }, 'device breaker half-open: probing'),
    );
    breaker.on('close', () => {
      entry.openedAt = undefined;
      this.logger.info({ device: deviceName }, 'device breaker closed');
    });
    this.entries.set(deviceKey, entry);
    return entry;
  }
}

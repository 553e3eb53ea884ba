import type { Logger } from '@toolkit/logger';
import { DeviceRunError } from '@toolkit/executor-domain';
import { DeviceSession, sessionKeyOf } from './device-session';
import type { ConnectOptions, SessionTarget } from './device-session';

export interface SessionPoolOptions extends ConnectOptions {
  /** Sessions open at once across all devices; idle ones are closed to make room. */
  maxSessions: number;
  /** Commands running at once on one device (host:port). */
  perDeviceLimit: number;
  /** Idle sessions close after this; 0 = no reuse (a new connection per command). */
  idleTimeoutMs: number;
  /** Extra connection attempts after a transient failure before authentication. */
  connectRetries: number;
  retryBaseMs: number;
  logger: Logger;
}

interface DeviceSlots {
  active: number;
  waiters: (() => void)[];
  idle: DeviceSession[];
}

export interface SessionUse<T> {
  value: T;
  /** Time to connect when a new session was opened; null when one was reused. */
  connectMs: number | null;
}

/**
 * SSH sessions reused per device and credentials, closed after `idleTimeoutMs`; at most
 * `perDeviceLimit` commands per device and `maxSessions` sessions overall.
 */
export class SessionPool {
  private readonly devices = new Map<string, DeviceSlots>();
  private readonly idleLru = new Set<DeviceSession>();
  private readonly globalWaiters: (() => void)[] = [];
  private openCount = 0;
  private closing = false;
  private readonly logger: Logger;

  constructor(private readonly options: SessionPoolOptions) {
    this.logger = options.logger.child({ module: 'session-pool' });
  }

  get openSessions(): number {
    return this.openCount;
  }

  get idleSessions(): number {
    return this.idleLru.size;
  }

  /**
   * Runs `work` on a session of the target's, opened if none is idle. `deadline` (epoch
   * ms) bounds connecting too: a device that hangs at login costs a request what is left of
   * its timeout, not the connect timeout on top.
   */
  async use<T>(
    target: SessionTarget,
    /** `connected`: the session was opened for this call (else an idle one was reused). */
    work: (session: DeviceSession, connected: boolean) => Promise<T>,
    options: { deadline?: number } = {},
  ): Promise<SessionUse<T>> {
    if (this.closing)
      throw new DeviceRunError({
        errorClass: 'internal',
        message: 'The executor is shutting down.',
      });
    const deviceKey = `${target.host}:${target.port}`;
    const slots = await this.acquireDevice(deviceKey);
    try {
      let session = this.takeIdle(slots, sessionKeyOf(target));
      let connectMs: number | null = null;
      if (!session) {
        const opened = await this.openSession(target, options.deadline ?? Infinity);
        session = opened.session;
        connectMs = opened.connectMs;
      }
      try {
        const value = await work(session, connectMs !== null);
        return { value, connectMs };
      } finally {
        this.release(slots, session);
      }
    } finally {
      this.releaseDevice(deviceKey, slots);
    }
  }

  /** Closes every session and refuses new work. */
  close(): void {
    this.closing = true;
    for (const slots of this.devices.values()) for (const s of [...slots.idle]) s.close();
    for (const wake of this.globalWaiters.splice(0)) {
      this.openCount += 1; // each waiter gets a slot, sees `closing` and frees it
      wake();
    }
  }

  private acquireDevice(deviceKey: string): Promise<DeviceSlots> {
    let slots = this.devices.get(deviceKey);
    if (!slots) {
      slots = { active: 0, waiters: [], idle: [] };
      this.devices.set(deviceKey, slots);
    }
    const s = slots;
    if (s.active < this.options.perDeviceLimit) {
      s.active += 1;
      return Promise.resolve(s);
    }
    return new Promise((resolve) => s.waiters.push(() => resolve(s)));
  }

  private releaseDevice(deviceKey: string, slots: DeviceSlots): void {
    const next = slots.waiters.shift();
    if (next) {
      next(); // the slot passes on
      return;
    }
    slots.active -= 1;
    if (slots.active === 0 && slots.idle.length === 0) this.devices.delete(deviceKey);
  }

  private takeIdle(slots: DeviceSlots, key: string): DeviceSession | undefined {
    const index = slots.idle.findIndex((s) => s.key === key && !s.closed);
    if (index < 0) return undefined;
    const [session] = slots.idle.splice(index, 1);
    if (!session) return undefined;
    clearTimeout(session.idleTimer);
    this.idleLru.delete(session);
    return session;
  }

  private release(slots: DeviceSlots, session: DeviceSession): void {
    if (session.closed) return;
    if (this.closing || this.globalWaiters.length > 0 || this.options.idleTimeoutMs <= 0) {
      // Someone waits for a session slot, we stop, or reuse is off (idle timeout 0).
      session.close();
      return;
    }
    slots.idle.push(session);
    this.idleLru.add(session);
    session.idleTimer = setTimeout(() => session.close(), this.options.idleTimeoutMs);
    session.idleTimer.unref();
  }

  private async openSession(
    target: SessionTarget,
    deadline: number,
  ): Promise<{ session: DeviceSession; connectMs: number }> {
    // An expired request neither takes a session slot nor evicts an idle session.
    if (deadline <= Date.now()) throw expiredWhileWaiting("the device's earlier commands");
    await this.reserveSlot();
    if (this.closing) {
      this.freeSlot();
      throw new DeviceRunError({
        errorClass: 'internal',
        message: 'The executor is shutting down.',
      });
    }
    if (deadline <= Date.now()) {
      this.freeSlot();
      throw expiredWhileWaiting('a session (EXECUTOR_MAX_SESSIONS are open)');
    }
    let attempt = 0;
    for (;;) {
      try {
        const left = deadline - Date.now();
        if (left <= 0) throw timedOutBeforeConnect();
        const connectTimeoutMs = Math.min(this.options.connectTimeoutMs, left);
        const opened = await DeviceSession.open(target, {
          ...this.options,
          connectTimeoutMs,
          ...(Number.isFinite(deadline) ? { deadline } : {}),
        });
        const session = opened.session;
        session.onClose(() => this.onSessionClosed(session));
        return opened;
      } catch (error) {
        const retriable = error instanceof DeviceRunError && error.retriable;
        const timeLeft = deadline - Date.now() > this.options.retryBaseMs;
        if (!retriable || attempt >= this.options.connectRetries || this.closing || !timeLeft) {
          this.freeSlot();
          throw error;
        }
        attempt += 1;
        const ceiling = this.options.retryBaseMs * 2 ** (attempt - 1);
        const wait = Math.min(
          Math.round(ceiling / 2 + (Math.random() * ceiling) / 2),
          Math.max(0, deadline - Date.now()),
        );
        this.logger.debug(
          { device: `${target.host}:${target.port}`, attempt, retryInMs: wait },
          'connect failed: retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private onSessionClosed(session: DeviceSession): void {
    this.idleLru.delete(session);
    const slots = this.devices.get(session.deviceKey);
    if (slots) {
      const index = slots.idle.indexOf(session);
      if (index >= 0) slots.idle.splice(index, 1);
      if (slots.active === 0 && slots.idle.length === 0) this.devices.delete(session.deviceKey);
    }
    this.freeSlot();
  }

  private reserveSlot(): Promise<void> {
    if (this.openCount >= this.options.maxSessions) {
      const oldest = this.idleLru.values().next();
      // Closing runs onSessionClosed synchronously, which frees its slot.
      if (!oldest.done) oldest.value.close();
    }
    if (this.openCount < this.options.maxSessions) {
      this.openCount += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.globalWaiters.push(resolve));
  }

  /** A closed session's slot goes to the first waiter, else back to the pool. */
  private freeSlot(): void {
    const waiter = this.globalWaiters.shift();
    if (waiter) {
      waiter();
      return;
    }
    this.openCount -= 1;
  }
}

/**
 * A request whose timeout passed while it waited on this executor, for its device's earlier
 * commands or for a session slot: not run, and not the device's failure (`expired` does not
 * count against its breaker).
 */
export function expiredWhileWaiting(what: string): DeviceRunError {
  return new DeviceRunError({
    errorClass: 'expired',
    message: `Not run: its timeout passed while it waited for ${what}.`,
  });
}

function timedOutBeforeConnect(): DeviceRunError {
  return new DeviceRunError({
    errorClass: 'connect_timeout',
    message: 'The timeout passed before the device could be connected.',
  });
}

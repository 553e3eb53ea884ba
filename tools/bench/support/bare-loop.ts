// The bare ssh2 baseline every pipeline figure is compared with: `bareConnect` of
// @toolkit/device-sim (a plain client, the driver table's session set-up, commands up to
// the prompt; no breaker, pool or queue) over the same simulated devices. Callers time it.
import { bareConnect } from '@toolkit/device-sim';
import type { BareSession } from '@toolkit/device-sim';

export interface BareLogin {
  port: number;
  username: string;
  password: string;
  enableSecret?: string;
  /** The driver table's `sessionSetup` for the device's platform. */
  setup: readonly string[];
}

/** A simulated device's login, as its inventory entry gives it. */
export function loginOf(
  device: { port: number; credentials?: Record<string, string> },
  setup: readonly string[],
  fallback: { username: string; password: string } = { username: '', password: '' },
): BareLogin {
  const c = device.credentials ?? {};
  return {
    port: device.port,
    username: c['username'] ?? fallback.username,
    password: c['password'] ?? fallback.password,
    ...(c['enableSecret'] === undefined ? {} : { enableSecret: c['enableSecret'] }),
    setup,
  };
}

/** Runs `work` over `items`, at most `concurrency` at a time. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) await work(items[i] as T, i);
    }),
  );
}

/** One open session per device (all at once): what a session-reuse run times commands on. */
export function openSessions(logins: readonly BareLogin[]): Promise<BareSession[]> {
  return Promise.all(logins.map((l) => bareConnect(l)));
}

export function closeSessions(sessions: readonly BareSession[]): void {
  sessions.forEach((s) => s.close());
}

/** `perDevice` × `command` on each open session, in order per session, every session at once. */
export async function runOnSessions(
  sessions: readonly BareSession[],
  command: string,
  perDevice: number,
): Promise<void> {
  await Promise.all(
    sessions.map(async (s) => {
      for (let k = 0; k < perDevice; k++) await s.run(command);
    }),
  );
}

/**
 * `perDevice` × (open a session, `command`, close) per device, in order per device,
 * `concurrency` devices at a time. A device that fails (or, with `timeoutMs`, takes longer)
 * is counted, not thrown: callers that must not measure failures check `failures`.
 */
export async function runNewSessions(
  logins: readonly BareLogin[],
  command: string,
  options: { perDevice?: number; concurrency?: number; timeoutMs?: number } = {},
): Promise<{ failures: string[] }> {
  const { perDevice = 1, concurrency = logins.length, timeoutMs } = options;
  const failures: string[] = [];
  const once = async (login: BareLogin) => {
    const session = await bareConnect(login);
    try {
      await session.run(command);
    } finally {
      session.close();
    }
  };
  await pool(logins, concurrency, async (login) => {
    for (let k = 0; k < perDevice; k++) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await (timeoutMs === undefined
          ? once(login)
          : Promise.race([
              once(login),
              new Promise<never>((_, reject) => {
                timer = setTimeout(
                  () => reject(new Error(`no answer within ${timeoutMs} ms`)),
                  timeoutMs,
                );
              }),
            ]));
      } catch (error) {
        failures.push(`port ${login.port}: ${String(error)}`);
      } finally {
        clearTimeout(timer);
      }
    }
  });
  return { failures };
}

// The baseline every benchmark compares with: a plain ssh2 client that opens an
// interactive shell, prepares it as every client must for whole, unwrapped output (the
// driver table's session set-up), and runs commands up to the prompt. No breaker, no
// pool, no queue: what the platform's pipeline costs is measured against this.
import net from 'node:net';
import { Client } from 'ssh2';

/** A privileged prompt, an unprivileged one, or `enable`'s password prompt. */
const PROMPT = /(?:[#>] ?|Password: ?)$/;

export interface BareSession {
  run(command: string): Promise<string>;
  close(): void;
}

export function bareConnect(options: {
  port: number;
  username: string;
  password: string;
  host?: string;
  /** The session set-up lines (the driver table's `sessionSetup` for the platform). */
  setup: readonly string[];
  /** Sent to `enable` when the session starts unprivileged (a `>` prompt). */
  enableSecret?: string;
}): Promise<BareSession> {
  const { setup } = options;
  return new Promise((resolve, reject) => {
    const client = new Client();
    const socket = net.connect({ host: options.host ?? '127.0.0.1', port: options.port });
    socket.setNoDelay(true);
    client.on('error', reject);
    client.on('ready', () => {
      client.shell({ term: 'vt100', cols: 511, rows: 24 }, (error, stream) => {
        if (error) return reject(error);
        let buffer = '';
        let waiter: (() => void) | undefined;
        stream.setEncoding('utf8');
        stream.on('data', (d: string) => {
          buffer += d;
          if (waiter && PROMPT.test(buffer)) waiter();
        });
        const untilPrompt = () =>
          new Promise<void>((r) => {
            if (PROMPT.test(buffer)) r();
            else waiter = r;
          });
        const run = async (cmd: string) => {
          buffer = '';
          stream.write(`${cmd}\n`);
          await untilPrompt();
          waiter = undefined;
          return buffer;
        };
        void untilPrompt()
          .then(async () => {
            if (/> ?$/.test(buffer)) {
              // Unprivileged (IOS, EOS): `enable`, its password prompt, then `#`.
              buffer = '';
              stream.write('enable\n');
              await untilPrompt();
              await run(options.enableSecret ?? '');
            }
            for (const line of setup) await run(line);
          })
          .then(() => resolve({ run, close: () => client.end() }));
      });
    });
    socket.once('connect', () =>
      client.connect({
        sock: socket,
        username: options.username,
        password: options.password,
        hostVerifier: () => true,
      }),
    );
  });
}

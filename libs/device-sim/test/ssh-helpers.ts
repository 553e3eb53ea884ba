// Test helpers: ssh2 client connections, an interactive shell driver that awaits output, exec runs.
import { Client } from 'ssh2';
import type { ClientChannel, ConnectConfig } from 'ssh2';

const closedClients = new WeakSet<Client>();

export function connect(config: ConnectConfig): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('close', () => closedClients.add(client));
    let ready = false;
    client.once('ready', () => {
      ready = true;
      resolve(client);
    });
    client.once('error', reject);
    client.once('close', () => {
      if (!ready) reject(new Error('connection closed before authentication completed'));
    });
    client.connect({ readyTimeout: 10_000, ...config });
  });
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | undefined;
}

export function exec(client: Client, command: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) {
        reject(err);
        return;
      }
      let stdout = '';
      let stderr = '';
      let code: number | undefined;
      stream.on('data', (d: Buffer) => (stdout += d.toString()));
      stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      stream.on('exit', (c: number) => (code = c));
      stream.on('close', () => resolve({ stdout, stderr, code }));
    });
  });
}

/** Drives an interactive shell: collects everything received and awaits patterns. */
export class Shell {
  output = '';
  closed = false;
  private waiters: (() => void)[] = [];

  constructor(readonly stream: ClientChannel) {
    stream.on('data', (d: Buffer) => {
      this.output += d.toString();
      this.notify();
    });
    stream.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  static open(client: Client): Promise<Shell> {
    return new Promise((resolve, reject) => {
      client.shell({ term: 'vt100', rows: 24, cols: 200 }, (err, stream) =>
        err ? reject(err) : resolve(new Shell(stream)),
      );
    });
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Text received since `mark` (an index into `output`). */
  since(mark: number): string {
    return this.output.slice(mark).replace(/\r\n/g, '\n');
  }

  /** Resolves with the new output once `pattern` appears after `from`; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp | string, from = 0, timeoutMs = 5000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const text = this.output.slice(from).replace(/\r\n/g, '\n');
        const found = typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
        if (found) {
          clearTimeout(timer);
          resolve(text.replace(/\r\n/g, '\n'));
        }
        return found;
      };
      const timer = setTimeout(() => {
        reject(
          new Error(
            `timeout waiting for ${String(pattern)}; got: ${JSON.stringify(this.output.slice(from).slice(-400))}`,
          ),
        );
      }, timeoutMs);
      const loop = (): void => {
        if (check()) return;
        if (this.closed) {
          clearTimeout(timer);
          reject(new Error(`stream closed waiting for ${String(pattern)}`));
          return;
        }
        this.waiters.push(loop);
      };
      loop();
    });
  }

  /** Sends a line and waits for the prompt pattern after it. */
  async run(line: string, prompt: RegExp | string): Promise<string> {
    const mark = this.output.length;
    this.stream.write(`${line}\r`);
    return this.waitFor(prompt, mark + line.length);
  }

  /** Sends a secret (not echoed) and waits for the prompt pattern. */
  async runSecret(secret: string, prompt: RegExp | string): Promise<string> {
    const mark = this.output.length;
    this.stream.write(`${secret}\r`);
    return this.waitFor(prompt, mark);
  }

  send(text: string): number {
    const mark = this.output.length;
    this.stream.write(text);
    return mark;
  }

  /** Resolves when the channel closes (or rejects after the timeout). */
  waitClosed(timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        resolve();
        return;
      }
      const timer = setTimeout(() => reject(new Error('stream did not close')), timeoutMs);
      this.stream.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export function endClient(client: Client): Promise<void> {
  return new Promise((resolve) => {
    if (closedClients.has(client)) {
      resolve();
      return;
    }
    client.once('close', () => resolve());
    client.end();
  });
}

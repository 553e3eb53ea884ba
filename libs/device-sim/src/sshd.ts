/**
 * Starts a real OpenSSH sshd on a free loopback port in a temp directory, for testing Linux
 * execution against the real thing. Key auth only, for the current user.
 */
import { spawn, execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SshdOptions {
  /** Path of the sshd binary (default /usr/sbin/sshd). */
  sshdPath?: string;
  /** Path of ssh-keygen (default ssh-keygen from PATH). */
  sshKeygenPath?: string;
  /** How long to wait for sshd to accept connections (ms, default 10000). */
  startTimeoutMs?: number;
  /**
   * Account allowed to log in (default: the current user). Another account must exist
   * and may have its own login shell (e.g. FRR's vtysh); the key files are then made
   * readable to it.
   */
  username?: string;
}

export interface SshdInstance {
  host: string;
  port: number;
  username: string;
  /** Client private key (OpenSSH format) authorised for `username`. */
  privateKey: string;
  privateKeyPath: string;
  /** Lines sshd wrote to stderr (`-e`), handy when a test fails. */
  readonly logs: string[];
  close(): Promise<void>;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const address = srv.address();
      const port = address && typeof address === 'object' ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('data', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function startSshd(options: SshdOptions = {}): Promise<SshdInstance> {
  const host = '127.0.0.1';
  const sshdPath = options.sshdPath ?? '/usr/sbin/sshd';
  const keygen = options.sshKeygenPath ?? 'ssh-keygen';
  const dir = await mkdtemp(join(tmpdir(), 'sshd-'));
  await chmod(dir, 0o700);
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 }).catch(() => undefined);
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const clientKey = join(dir, 'id_ed25519');
  await run(keygen, ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  await run(keygen, ['-q', '-t', 'ed25519', '-N', '', '-f', clientKey]);
  const authorizedKeys = join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, await readFile(`${clientKey}.pub`), { mode: 0o600 });
  const username = options.username ?? userInfo().username;
  if (username !== userInfo().username) {
    // sshd reads authorized_keys with the target user's privileges.
    await chmod(dir, 0o755);
    await chmod(authorizedKeys, 0o644);
  }
  const port = await freePort(host);
  const config = join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      `ListenAddress ${host}`,
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'UsePAM no',
      'StrictModes no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      username === 'root' ? 'PermitRootLogin prohibit-password' : 'PermitRootLogin no',
      `AllowUsers ${username}`,
      'LogLevel INFO',
      'PrintMotd no',
      'UseDNS no',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  const logs: string[] = [];
  const child: ChildProcess = spawn(sshdPath, ['-D', '-e', '-f', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) =>
    logs.push(...chunk.toString('utf8').split('\n').filter(Boolean)),
  );
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (error) => {
      logs.push(String(error));
      exited = true;
      resolve();
    });
  });
  const close = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      await exitPromise;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  while (!(await canConnect(host, port))) {
    if (exited || Date.now() > deadline) {
      await close();
      throw new Error(`sshd did not start on ${host}:${port}: ${logs.join(' | ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    host,
    port,
    username,
    privateKey: await readFile(clientKey, 'utf8'),
    privateKeyPath: clientKey,
    logs,
    close,
  };
}

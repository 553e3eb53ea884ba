/**
 * A real FRRouting target for tests: zebra and staticd started as this test's own
 * processes in a temp directory, inside their own network namespace (so that routes
 * configured by a test never reach the host's kernel table), a local account whose login
 * shell is vtysh (through a wrapper pointing vtysh at the daemons' vty sockets), and a
 * loopback OpenSSH sshd that lets the executor log in as that account with a key.
 *
 * Needs root (network namespace, account) and the Debian package `frr`
 * (tools/scripts/system-deps.sh installs it). A system FRR is never touched: own config
 * files, pid files, zserv socket and vty socket directory; TCP vty disabled (`-P 0`).
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { access, chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSshd } from '@toolkit/device-sim';
import type { SshdInstance } from '@toolkit/device-sim';

const run = promisify(execFile);

const ZEBRA = '/usr/lib/frr/zebra';
const STATICD = '/usr/lib/frr/staticd';
const VTYSH = '/usr/bin/vtysh';
/** The account the executor logs in as; created once, reused (its shell is reset per run). */
export const FRR_TEST_USER = 'toolkit-frr';

export interface FrrTarget {
  host: string;
  port: number;
  username: string;
  privateKey: string;
  /** Runs vtysh commands directly against the daemons (test assertions, not the executor). */
  vtysh(...commands: string[]): Promise<string>;
  /** zebra/staticd/sshd output, for failure messages. */
  logs(): string;
  close(): Promise<void>;
}

interface Daemon {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
  isRunning: () => boolean;
}

async function exists(path: string, mode = constants.X_OK): Promise<boolean> {
  return access(path, mode).then(
    () => true,
    () => false,
  );
}

async function which(command: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${command}`]).then(
    () => true,
    () => false,
  );
}

/** Fails (never skips) with what to install when the machine cannot run the target. */
async function checkPrerequisites(): Promise<void> {
  const missing: string[] = [];
  for (const path of [ZEBRA, STATICD, VTYSH]) if (!(await exists(path))) missing.push(path);
  if (missing.length > 0) {
    throw new Error(
      `FRRouting is not installed (missing ${missing.join(', ')}): run ` +
        '`bash tools/scripts/system-deps.sh` as root (installs the Debian package frr).',
    );
  }
  for (const tool of ['unshare', 'nsenter', 'useradd', 'usermod']) {
    if (!(await which(tool)))
      throw new Error(`The FRR test needs \`${tool}\` (util-linux / passwd) on PATH.`);
  }
  if (process.getuid?.() !== 0) {
    throw new Error(
      'The FRR test needs root: it starts zebra in its own network namespace and sets a ' +
        `local account's login shell (${FRR_TEST_USER}).`,
    );
  }
}

function startDaemon(name: string, command: string, args: string[], logs: string[]): Daemon {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let running = true;
  const onData = (chunk: Buffer) =>
    logs.push(
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => `${name}: ${l}`),
    );
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running = false;
      resolve();
    });
    child.once('error', (error) => {
      logs.push(`${name}: ${String(error)}`);
      running = false;
      resolve();
    });
  });
  return { name, child, exited, isRunning: () => running };
}

async function stopDaemon(daemon: Daemon): Promise<void> {
  if (!daemon.isRunning()) return;
  daemon.child.kill('SIGTERM');
  const timer = setTimeout(() => daemon.child.kill('SIGKILL'), 5_000);
  await daemon.exited;
  clearTimeout(timer);
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  alive: () => boolean,
  logs: string[],
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (!alive() || Date.now() > deadline)
      throw new Error(`FRR harness: ${what} did not come up: ${logs.slice(-20).join(' | ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function ensureUser(shell: string, home: string): Promise<void> {
  const known = await run('id', ['-u', FRR_TEST_USER]).then(
    () => true,
    () => false,
  );
  if (!known) {
    await run('useradd', [
      '--system',
      '--no-create-home',
      '--home-dir',
      home,
      '--shell',
      shell,
      '--groups',
      'frrvty',
      FRR_TEST_USER,
    ]);
  }
  // `*` (not `!`): key login works without PAM only for an account that is not locked.
  await run('usermod', [
    '--shell',
    shell,
    '--home',
    home,
    '--append',
    '--groups',
    'frrvty',
    '--password',
    '*',
    FRR_TEST_USER,
  ]);
}

export async function startFrr(): Promise<FrrTarget> {
  await checkPrerequisites();
  const dir = await mkdtemp(join(tmpdir(), 'frr-'));
  await chmod(dir, 0o755);
  const runDir = join(dir, 'run');
  const home = join(dir, 'home');
  const { stdout: frrIds } = await run('sh', ['-c', 'id -u frr; getent group frr | cut -d: -f3']);
  const [frrUid, frrGid] = frrIds.trim().split('\n').map(Number);
  await mkdir(runDir, { mode: 0o775 });
  await chmod(runDir, 0o775);
  await chown(runDir, frrUid ?? 0, frrGid ?? 0);
  // An address on the namespace's loopback gives the table a connected route (and brings
  // lo up) without needing iproute2.
  await writeFile(
    join(dir, 'zebra.conf'),
    'hostname frr-test\ninterface lo\n no shutdown\n ip address 198.18.0.1/24\n',
    { mode: 0o644 },
  );
  await writeFile(join(dir, 'staticd.conf'), 'hostname frr-test\n', { mode: 0o644 });
  const zserv = join(runDir, 'zserv.api');
  const common = (daemon: string) => [
    '-f',
    join(dir, `${daemon}.conf`),
    '-i',
    join(runDir, `${daemon}.pid`),
    '-z',
    zserv,
    '--vty_socket',
    runDir,
    '-A',
    '127.0.0.1',
    '-P',
    '0',
    '--log',
    'stdout',
  ];
  const logs: string[] = [];
  const daemons: Daemon[] = [];
  let sshd: SshdInstance | undefined;
  let userSet = false;

  const close = async (): Promise<void> => {
    await sshd?.close();
    for (const daemon of [...daemons].reverse()) await stopDaemon(daemon);
    if (userSet) {
      await run('usermod', ['--shell', '/usr/sbin/nologin', FRR_TEST_USER]).catch(() => undefined);
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    // zebra in a fresh network namespace (unshare execs it: the pid is ours to signal).
    const zebra = startDaemon('zebra', 'unshare', ['--net', '--', ZEBRA, ...common('zebra')], logs);
    daemons.push(zebra);
    await waitFor(
      'zebra',
      async () => (await exists(zserv, constants.F_OK)) && exists(join(runDir, 'zebra.vty'), 0),
      zebra.isRunning,
      logs,
    );
    const staticd = startDaemon(
      'staticd',
      'nsenter',
      [`--net=/proc/${zebra.child.pid}/ns/net`, '--', STATICD, ...common('staticd')],
      logs,
    );
    daemons.push(staticd);
    await waitFor('staticd', () => exists(join(runDir, 'staticd.vty'), 0), staticd.isRunning, logs);

    const shell = join(dir, 'vtysh-login');
    await writeFile(shell, `#!/bin/sh\nexec ${VTYSH} --vty_socket ${runDir} "$@"\n`, {
      mode: 0o755,
    });
    await mkdir(home, { mode: 0o755 });
    await ensureUser(shell, home);
    userSet = true;
    const { stdout: ids } = await run('id', ['-u', FRR_TEST_USER]);
    await chown(home, Number(ids.trim()), frrGid ?? 0);

    sshd = await startSshd({ username: FRR_TEST_USER });
    const started = sshd;
    return {
      host: started.host,
      port: started.port,
      username: FRR_TEST_USER,
      privateKey: started.privateKey,
      vtysh: async (...commands: string[]) => {
        const args = ['--vty_socket', runDir, ...commands.flatMap((c) => ['-c', c])];
        const { stdout } = await run(VTYSH, args);
        return stdout;
      },
      logs: () => [...logs, ...started.logs.map((l) => `sshd: ${l}`)].join('\n'),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

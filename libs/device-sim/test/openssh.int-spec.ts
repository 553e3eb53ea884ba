// Drives every platform with the system OpenSSH client (public-key auth with the fleet key),
// and runs the real sshd helper with the ssh2 client.
import { spawn } from 'node:child_process';
import type { Fleet, PlatformId, SshdInstance } from '@toolkit/device-sim';
import { startFleet, startSshd } from '@toolkit/device-sim';
import { connect, endClient, exec } from './ssh-helpers';

jest.setTimeout(30_000);

interface SshRun {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs `ssh`; with `input`, writes it step by step after each awaited pattern (-tt interactive). */
function ssh(args: string[], steps: { waitFor?: RegExp; send: string }[] = []): Promise<SshRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let step = 0;
    const advance = (): void => {
      while (step < steps.length) {
        const current = steps[step];
        if (!current) return;
        if (current.waitFor && !current.waitFor.test(stdout.replace(/\r\n/g, '\n'))) return;
        child.stdin.write(current.send);
        step += 1;
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      advance();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout: stdout.replace(/\r\n/g, '\n'), stderr, code }));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', () => clearTimeout(timer));
    advance();
  });
}

describe('device-sim with the OpenSSH client', () => {
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await startFleet({
      devices: [
        { name: 'os-ios', platform: 'ios' },
        { name: 'os-nxos', platform: 'nxos' },
        { name: 'os-eos', platform: 'eos' },
        { name: 'os-junos', platform: 'junos' },
        { name: 'os-linux', platform: 'linux' },
      ],
    });
  });

  afterAll(async () => {
    await fleet.close();
  });

  const baseArgs = (name: string): string[] => {
    const d = fleet.device(name);
    return [
      '-i',
      fleet.keys.privateKeyPath,
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'LogLevel=ERROR',
      '-p',
      String(d.port),
      `admin@${d.host}`,
    ];
  };

  const execCases: [PlatformId, string, string, RegExp][] = [
    ['ios', 'os-ios', 'show version', /Cisco IOS XE Software, Version 17\.09\.04a/],
    ['nxos', 'os-nxos', 'show version', /NXOS: version 10\.3\(4a\)/],
    ['eos', 'os-eos', 'show version', /Software image version: 4\.30\.4M/],
    ['junos', 'os-junos', 'show version', /Junos: 22\.4R2\.8/],
    ['linux', 'os-linux', 'uname -a', /^Linux os-linux 5\.15\.0-91-generic/],
  ];

  it.each(execCases)(
    'when %s runs a command over an exec channel with key auth, then the output arrives and ssh exits 0',
    async (_p, name, command, expected) => {
      const result = await ssh([...baseArgs(name), command]);

      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(expected);
    },
  );

  it('when linux runs an unknown command, then ssh exits 127 with bash stderr', async () => {
    const result = await ssh([...baseArgs('os-linux'), 'foo']);

    expect(result.code).toBe(127);
    expect(result.stderr).toContain('bash: foo: command not found');
  });

  it('when an interactive IOS session pages, then --More-- shows until space, and terminal length 0 disables it', async () => {
    const result = await ssh(
      ['-tt', ...baseArgs('os-ios')],
      [
        { waitFor: /os-ios>$/, send: 'sh ip int br\r' },
        { waitFor: / --More-- $/, send: ' ' },
        { waitFor: /Loopback0[^\n]*\nos-ios>$/, send: 'terminal length 0\r' },
        { waitFor: /terminal length 0\nos-ios>$/, send: 'show ip interface brief\r' },
        { waitFor: /show ip interface brief\n(?:.*\n)+os-ios>$/, send: 'exit\r' },
      ],
    );

    const [paged, unpaged] = result.stdout.split('terminal length 0');
    expect(paged).toContain(' --More-- ');
    expect(unpaged).not.toContain('--More--');
    expect(unpaged).toMatch(/Loopback0/);
  });

  const interactiveCases: [string, RegExp, string, RegExp][] = [
    ['os-nxos', /os-nxos# $/, 'show foo', /% Invalid command at '\^' marker\./],
    ['os-eos', /os-eos>$/, 'show foo', /% Invalid input/],
    ['os-junos', /admin@os-junos> $/, 'foo', /unknown command\./],
    ['os-linux', /admin@os-linux:~\$ $/, 'foo', /bash: foo: command not found/],
  ];

  it.each(interactiveCases)(
    'when %s gets an invalid command interactively, then the platform error text is shown',
    async (name, prompt, bad, error) => {
      const result = await ssh(
        ['-tt', ...baseArgs(name)],
        [
          { waitFor: prompt, send: `${bad}\r` },
          { waitFor: new RegExp(`${error.source}[\\s\\S]*${prompt.source}`), send: 'exit\r' },
        ],
      );

      expect(result.stdout).toMatch(error);
    },
  );

  it('when the Junos CLI commits a host-name change over OpenSSH, then the prompt and state change', async () => {
    const result = await ssh(
      ['-tt', ...baseArgs('os-junos')],
      [
        { waitFor: /admin@os-junos> $/, send: 'configure\r' },
        { waitFor: /\[edit\]\nadmin@os-junos# $/, send: 'set system host-name jx1\r' },
        { waitFor: /host-name jx1\n\n\[edit\]\nadmin@os-junos# $/, send: 'commit and-quit\r' },
        { waitFor: /admin@jx1> $/, send: 'exit\r' },
      ],
    );

    expect(result.stdout).toContain('commit complete');
    expect(fleet.device('os-junos').state.hostname).toBe('jx1');
  });
});

describe('startSshd (real OpenSSH server)', () => {
  let sshd: SshdInstance;

  beforeAll(async () => {
    sshd = await startSshd();
  });

  afterAll(async () => {
    await sshd.close();
  });

  it('when the ssh2 client runs uname -a with key auth, then it exits 0 with Linux output', async () => {
    const client = await connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKey: sshd.privateKey,
    });

    const result = await exec(client, 'uname -a');
    await endClient(client);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Linux /);
  });

  it('when a command fails, then its exit code and stderr come back', async () => {
    const client = await connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKey: sshd.privateKey,
    });

    const result = await exec(client, 'ls /definitely-not-here; exit 3');
    await endClient(client);

    expect(result.code).toBe(3);
    expect(result.stderr).toContain('/definitely-not-here');
  });
});

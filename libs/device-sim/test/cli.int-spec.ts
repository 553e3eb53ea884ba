// Drives every platform with the ssh2 client: login, prompts, paging, abbreviations, errors, config.
import { Client } from 'ssh2';
import type { Fleet } from '@toolkit/device-sim';
import { startFleet } from '@toolkit/device-sim';
import { connect, endClient, exec, Shell } from './ssh-helpers';

jest.setTimeout(30_000);

describe('device-sim CLI over SSH (ssh2 client)', () => {
  let fleet: Fleet;
  const clients: Client[] = [];

  beforeAll(async () => {
    fleet = await startFleet({
      devices: [
        { name: 'r1', platform: 'ios' },
        { name: 'nx1', platform: 'nxos' },
        { name: 'sw1', platform: 'eos' },
        { name: 'jr1', platform: 'junos' },
        { name: 'srv1', platform: 'linux' },
      ],
      seed: 7,
    });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => endClient(c)));
    await fleet.close();
  });

  async function login(name: string, auth: 'password' | 'key' = 'password'): Promise<Client> {
    const d = fleet.device(name);
    const client = await connect({
      host: d.host,
      port: d.port,
      username: 'admin',
      ...(auth === 'password' ? { password: 'admin' } : { privateKey: fleet.keys.privateKey }),
    });
    clients.push(client);
    return client;
  }

  async function shell(name: string): Promise<Shell> {
    return Shell.open(await login(name));
  }

  describe('IOS', () => {
    it('when logging in with a password, then the MOTD and the user-mode prompt appear', async () => {
      const sh = await shell('r1');

      const text = await sh.waitFor(/r1>$/);

      expect(text).toContain('r1 - authorized access only');
      expect(text.endsWith('r1>')).toBe(true);
    });

    it('when logging in with the fleet key, then the session is accepted', async () => {
      const sh = Shell.open(await login('r1', 'key'));

      await expect((await sh).waitFor(/r1>$/)).resolves.toContain('r1>');
    });

    it('when paging is on and output is long, then --More-- stops it and space continues to the prompt', async () => {
      const sh = await shell('r1');
      await sh.waitFor(/r1>$/);

      const mark = sh.send('show ip interface brief\r');
      const firstPage = await sh.waitFor(' --More-- ', mark);
      const mark2 = sh.send(' ');
      const rest = await sh.waitFor(/\nr1>$/, mark2);

      // echoed command line + 23 lines (terminal length 24) + the --More-- line
      expect(firstPage.split('\n').length).toBe(25);
      expect(rest).toContain('Loopback0');
    });

    it('when q is pressed at --More--, then the output stops and the prompt returns', async () => {
      const sh = await shell('r1');
      await sh.waitFor(/r1>$/);
      const mark = sh.send('show ip interface brief\r');
      await sh.waitFor(' --More-- ', mark);

      const mark2 = sh.send('q');
      const after = await sh.waitFor(/r1>$/, mark2);

      expect(after).not.toContain('Loopback0');
    });

    it('when terminal length 0 is set, then long output arrives without a pager', async () => {
      const sh = await shell('r1');
      await sh.waitFor(/r1>$/);
      await sh.run('terminal length 0', /r1>$/);

      const out = await sh.run('show ip interface brief', /\nr1>$/);

      expect(out).not.toContain('--More--');
      expect(out).toMatch(/^Interface\s+IP-Address\s+OK\? Method Status\s+Protocol$/m);
      expect(out).toMatch(/^GigabitEthernet1\/0\/1\s+\S+\s+YES\s+\w+\s+up\s+up$/m);
    });

    it('when commands are abbreviated, then they resolve like the full form', async () => {
      const sh = await shell('r1');
      await sh.waitFor(/r1>$/);
      await sh.run('term len 0', /r1>$/);

      const full = await sh.run('show ip interface brief', /\nr1>$/);
      const short = await sh.run('sh ip int br', /\nr1>$/);

      expect(short.replace(/^.*\n/, '')).toBe(full.replace(/^.*\n/, ''));
    });

    it('when input is invalid, ambiguous or incomplete, then IOS error texts are shown', async () => {
      const sh = await shell('r1');
      await sh.waitFor(/r1>$/);

      const invalid = await sh.run('show foo', /\nr1>$/);
      const ambiguous = await sh.run('sh i', /\nr1>$/);
      const incomplete = await sh.run('show', /\nr1>$/);

      expect(invalid).toContain("% Invalid input detected at '^' marker.");
      expect(invalid.split('\n')[1]).toBe(`${' '.repeat('r1>show '.length)}^`);
      expect(ambiguous).toContain('% Ambiguous command:  "sh i"');
      expect(incomplete).toContain('% Incomplete command.');
    });

    it('when configure terminal is typed in user mode, then it is rejected as invalid input', async () => {
      const sh = await shell('r1');
      await sh.waitFor(/r1>$/);

      const out = await sh.run('configure terminal', /\nr1>$/);

      expect(out).toContain("% Invalid input detected at '^' marker.");
    });

    it('when enable is given the secret and config changes are made, then prompt, show output and state change', async () => {
      const sh = await shell('r1');
      await sh.waitFor(/r1>$/);
      await sh.run('enable', 'Password: ');
      await sh.runSecret('enable', /r1#$/);
      await sh.run('configure terminal', /r1\(config\)#$/);
      await sh.run('interface Gi1/0/5', /r1\(config-if\)#$/);
      await sh.run('description changed-by-test', /\(config-if\)#$/);
      await sh.run('shutdown', /\(config-if\)#$/);
      await sh.run('exit', /\(config\)#$/);
      await sh.run('vlan 777', /\(config-vlan\)#$/);
      await sh.run('name TESTVLAN', /\(config-vlan\)#$/);
      await sh.run('hostname edge9', /edge9\(config-vlan\)#$|edge9\(config\)#$/);
      await sh.run('end', /edge9#$/);

      const desc = await sh.run('show interfaces description | include Gi1/0/5 ', /\nedge9#$/);
      const vlans = await sh.run('show vlan brief | include TESTVLAN', /\nedge9#$/);

      expect(desc).toMatch(/Gi1\/0\/5\s+admin down\s+down\s+changed-by-test/);
      expect(vlans).toMatch(/^777\s+TESTVLAN\s+active/m);
      const state = fleet.device('r1').state;
      expect(state.hostname).toBe('edge9');
      expect(state.findInterface('GigabitEthernet1/0/5')?.adminUp).toBe(false);

      const again = await shell('r1');
      await expect(again.waitFor(/edge9>$/)).resolves.toContain('edge9>');
    });

    it('when a command runs on an exec channel, then it returns the output and closes with status 0', async () => {
      const client = await login('r1');

      const result = await exec(client, 'show version');

      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        /Cisco IOS Software .*Version 17\.9\.4a, RELEASE SOFTWARE \(fc3\)/,
      );
      expect(result.stdout).toContain('Configuration register is 0x102');
    });
  });

  describe('NX-OS', () => {
    it('when logging in, then the prompt is privileged and show interface brief has NX-OS columns', async () => {
      const sh = await shell('nx1');
      await sh.waitFor(/nx1# $/);
      await sh.run('terminal length 0', /nx1# $/);

      const out = await sh.run('show interface brief', /\nnx1# $/);

      expect(out).toMatch(/^Ethernet\s+VLAN\s+Type Mode\s+Status\s+Reason\s+Speed\s+Port$/m);
      expect(out).toMatch(/^Eth1\/1\s+--\s+eth\s+routed\s+up\s+none\s+10G\(D\)\s+--$/m);
    });

    it('when paging is on, then --More-- appears for long output', async () => {
      const sh = await shell('nx1');
      await sh.waitFor(/nx1# $/);

      const mark = sh.send('show interface brief\r');

      await expect(sh.waitFor(' --More-- ', mark)).resolves.toContain('Ethernet');
    });

    it('when input is invalid, then the NX-OS error text is shown', async () => {
      const sh = await shell('nx1');
      await sh.waitFor(/nx1# $/);

      const out = await sh.run('show bogus', /\nnx1# $/);

      expect(out).toContain("% Invalid command at '^' marker.");
    });

    it('when a VLAN is created and named, then show vlan brief lists it', async () => {
      const sh = await shell('nx1');
      await sh.waitFor(/nx1# $/);
      await sh.run('conf t', /nx1\(config\)# $/);
      await sh.run('vlan 555', /\(config-vlan\)# $/);
      await sh.run('name NXTEST', /\(config-vlan\)# $/);
      await sh.run('end', /nx1# $/);

      const out = await sh.run('sh vlan br | i NXTEST', /\nnx1# $/);

      expect(out).toMatch(/^555\s+NXTEST\s+active/m);
    });
  });

  describe('EOS', () => {
    it('when enable is used with the secret, then the prompt changes from > to #', async () => {
      const sh = await shell('sw1');
      await sh.waitFor(/sw1>$/);
      await sh.run('enable', 'Password: ');

      const out = await sh.runSecret('enable', /sw1#$/);

      expect(out.endsWith('sw1#')).toBe(true);
    });

    it('when terminal pager 0 is set, then show ip interface brief arrives unpaged in EOS layout', async () => {
      const sh = await shell('sw1');
      await sh.waitFor(/sw1>$/);
      await sh.run('terminal pager 0', /sw1>$/);

      const out = await sh.run('show ip int brief', /\nsw1>$/);

      expect(out).toMatch(/^Interface\s+IP Address\s+Status\s+Protocol\s+MTU\s+Owner/m);
      expect(out).toMatch(/^Ethernet1\s+\S+\/30\s+up\s+up\s+1500/m);
    });

    it('when input is invalid or ambiguous, then EOS error texts are shown', async () => {
      const sh = await shell('sw1');
      await sh.waitFor(/sw1>$/);

      const invalid = await sh.run('show nonsense', /\nsw1>$/);
      const ambiguous = await sh.run('sh i', /\nsw1>$/);

      expect(invalid).toContain('% Invalid input');
      expect(ambiguous).toContain('% Ambiguous command');
    });

    it('when an interface description is configured, then show interfaces status shows it', async () => {
      const sh = await shell('sw1');
      await sh.waitFor(/sw1>$/);
      await sh.run('enable', 'Password: ');
      await sh.runSecret('enable', /sw1#$/);
      await sh.run('configure', /sw1\(config\)#$/);
      await sh.run('interface Ethernet3', /\(config-if\)#$/);
      await sh.run('description eos-test', /\(config-if\)#$/);
      await sh.run('end', /sw1#$/);
      await sh.run('terminal length 0', /sw1#$/);

      const out = await sh.run('show interfaces status', /\nsw1#$/);

      expect(out).toMatch(/^Et3\s+eos-test\s+/m);
    });
  });

  describe('Junos', () => {
    it('when paging is on, then ---(more)--- appears, and after set cli screen-length 0 it does not', async () => {
      const sh = await shell('jr1');
      await sh.waitFor(/admin@jr1> $/);

      const mark = sh.send('show interfaces terse\r');
      await sh.waitFor(/---\(more \d+%\)---/, mark);
      await sh.run('q', /admin@jr1> $/);
      await sh.run('set cli screen-length 0', /admin@jr1> $/);
      const out = await sh.run('show interfaces terse', /\nadmin@jr1> $/);

      expect(out).not.toContain('---(more');
      expect(out).toMatch(/^Interface\s+Admin Link Proto\s+Local\s+Remote$/m);
      expect(out).toMatch(/^ge-0\/0\/0\.0\s+up\s+up\s+inet\s+\S+\/30$/m);
    });

    it('when input is unknown or has a bad argument, then Junos error texts with a caret are shown', async () => {
      const sh = await shell('jr1');
      await sh.waitFor(/admin@jr1> $/);

      const unknown = await sh.run('foo', /\nadmin@jr1> $/);
      const syntax = await sh.run('show bogus', /\nadmin@jr1> $/);

      expect(unknown).toContain('unknown command.');
      expect(syntax).toContain('syntax error, expecting <command>.');
      expect(syntax.split('\n')[1]).toBe(`${' '.repeat('admin@jr1> show '.length)}^`);
    });

    it('when configuration is set and committed, then the hostname and description change', async () => {
      const sh = await shell('jr1');
      await sh.waitFor(/admin@jr1> $/);
      await sh.run('configure', /\[edit\]\nadmin@jr1# $/);
      await sh.run('set interfaces ge-0/0/4 description "junos test port"', /admin@jr1# $/);
      await sh.run('set system host-name jr9', /admin@jr1# $/);

      const commit = await sh.run('commit', /admin@jr9# $/);
      await sh.run('exit', /admin@jr9> $/);

      expect(commit).toContain('commit complete');
      expect(fleet.device('jr1').state.findInterface('ge-0/0/4')?.description).toBe(
        'junos test port',
      );
    });
  });

  describe('Linux', () => {
    it('when commands run on exec channels, then stdout, stderr and exit codes are like bash', async () => {
      const client = await login('srv1');

      const uname = await exec(client, 'uname -a');
      const missing = await exec(client, 'foo');

      expect(uname.code).toBe(0);
      expect(uname.stdout).toMatch(/^Linux srv1 5\.15\.0-91-generic .* GNU\/Linux\n$/);
      expect(missing.code).toBe(127);
      expect(missing.stderr).toBe('bash: foo: command not found\n');
    });

    it('when an interactive shell is used, then the prompt is user@host:~$ and ip -br addr works', async () => {
      const sh = await shell('srv1');
      await sh.waitFor(/admin@srv1:~\$ $/);

      const out = await sh.run('ip -br addr', /\nadmin@srv1:~\$ $/);

      expect(out).toMatch(/^eth0\s+UP\s+192\.168\.\d+\.\d+\/24 /m);
    });
  });

  describe('authentication', () => {
    it('when the password is wrong, then authentication fails', async () => {
      const d = fleet.device('r1');

      await expect(
        connect({ host: d.host, port: d.port, username: 'admin', password: 'nope' }),
      ).rejects.toMatchObject({
        level: 'client-authentication',
      });
    });

    it('when a client keeps retrying wrong passwords, then the device disconnects after three failures', async () => {
      const d = fleet.device('r1');
      let attempts = 0;

      const result = connect({
        host: d.host,
        port: d.port,
        username: 'admin',
        authHandler: (_methods, _partial, next) => {
          attempts += 1;
          next({ type: 'password', username: 'admin', password: `wrong${attempts}` });
        },
      });

      await expect(result).rejects.toBeInstanceOf(Error);
      // The handler is asked once more right after the third rejection, just before the disconnect arrives.
      expect(attempts - 1).toBe(3);
    });

    it('when keyboard-interactive is used with the right password, then login succeeds', async () => {
      const d = fleet.device('sw1');

      const pending = new Client();
      pending.on('keyboard-interactive', (_n, _i, _l, _p, finish) => finish(['admin']));
      const client = await new Promise<Client>((resolve, reject) => {
        pending.once('ready', () => resolve(pending));
        pending.once('error', reject);
        pending.connect({
          host: d.host,
          port: d.port,
          username: 'admin',
          tryKeyboard: true,
          authHandler: ['keyboard-interactive'],
        });
      });
      clients.push(client);

      await expect(exec(client, 'show version')).resolves.toMatchObject({ code: 0 });
    });
  });
});

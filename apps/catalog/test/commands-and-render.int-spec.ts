import { randomUUID } from 'node:crypto';
import { openJson } from '@toolkit/crypto';
import { ALICE, api, BASE, renderBody, startCatalog, unique } from './support/catalog-kit';
import type { CatalogKit } from './support/catalog-kit';

describe('commands, variables and rendering for a device', () => {
  let kit: CatalogKit;
  let ios: { id: number; name: string };
  let eos: { id: number; name: string };
  let device: { id: number; name: string };
  let vlans: { id: number }[];

  beforeAll(async () => {
    kit = await startCatalog();
    const platforms = await api(kit.app).post('/api/dcim/platforms/', [
      { name: unique('IOS'), slug: unique('ios').replace(/^ios-/, 'ios_x'), driver: 'cisco_ios' },
      { name: unique('EOS'), slug: unique('eos'), driver: 'arista_eos' },
    ]);
    [ios, eos] = platforms.body;
    const site = await api(kit.app).post('/api/dcim/sites/', {
      name: unique('dc'),
      slug: unique('dc'),
    });
    vlans = (
      await api(kit.app).post('/api/ipam/vlans/', [
        { vid: 10, name: 'USERS', site: site.body.id },
        { vid: 20, name: 'VOICE', site: site.body.id },
        { vid: 99, name: 'MGMT', site: site.body.id },
      ])
    ).body;
    const created = await api(kit.app).post('/api/dcim/devices/', {
      name: unique('r'),
      platform: ios.id,
      site: site.body.id,
      port: 2222,
      primary_ip4: '10.1.0.1/24',
      interfaces: [
        {
          name: 'GigabitEthernet0/1',
          type: '1000base-t',
          mode: 'access',
          untagged_vlan: vlans[0]?.id,
        },
        {
          name: 'GigabitEthernet0/10',
          type: '1000base-t',
          mode: 'tagged',
          tagged_vlans: [vlans[1]?.id],
        },
        {
          name: 'Vlan99',
          type: 'virtual',
          ip_addresses: [{ address: '10.1.0.1/24' }, { address: '2001:db8::1/64' }],
        },
      ],
    });
    device = created.body;
  });

  afterAll(async () => {
    await kit.close();
  });

  async function command(body: Record<string, unknown>) {
    const res = await api(kit.app).post('/api/plugins/toolkit/commands/', {
      platforms: [ios.id],
      ...body,
    });
    expect(res.status).toBe(201);
    return res.body as { id: number };
  }

  function render(
    commandId: number,
    variables: Record<string, string>,
    credentials: Record<string, string> = { username: 'admin', password: 'pw' },
  ) {
    return api(kit.app).post(
      '/internal/render',
      renderBody(commandId, device.id, { variables, credentials }),
    );
  }

  it('when a command with variables is created, then it is answered with nested variables and display', async () => {
    const name = unique('show int');
    const res = await api(kit.app).post('/api/plugins/toolkit/commands/', {
      name,
      command: 'show interfaces <iface>',
      platforms: [ios.id, eos.id],
      variables: [{ name: 'iface', variable_type: 'netbox_interface', display_name: 'Interface' }],
    });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      url: `${BASE}/api/plugins/toolkit/commands/${res.body.id}/`,
      display: `${name} (${[ios.name, eos.name].sort().join(', ')})`,
      name,
      command: 'show interfaces <iface>',
      description: '',
      platforms: expect.any(Array),
      command_type: 'show',
      parsing_template: 'auto',
      variables: [
        {
          id: expect.any(Number),
          name: 'iface',
          display_name: 'Interface',
          variable_type: 'netbox_interface',
          required: true,
          help_text: '',
          default_value: '',
          allow_operators: false,
        },
      ],
      tags: [],
      custom_fields: {},
      created: expect.any(String),
      last_updated: expect.any(String),
    });
  });

  it('when commands with the largest templates are bulk-updated and bulk-deleted, then all of them change (the write journal keeps them in entries MongoDB can store)', async () => {
    // 200,000 characters of 3-byte UTF-8: about 600 KB per command, 18 MB for thirty.
    const template = (n: number) =>
      `Value NAME (\\S+)\n# ${String(n).padEnd(199_950, '€')}\n\nStart\n  ^\${NAME} -> Record\n`;
    const created: { id: number }[] = [];
    for (let n = 0; n < 30; n++)
      created.push(
        await command({
          name: unique('big'),
          command: 'show version',
          parsing_template: template(n),
        }),
      );
    const path = '/api/plugins/toolkit/commands/';

    const patched = await api(kit.app).patch(
      path,
      created.map(({ id }) => ({ id, description: 'bulk' })),
    );
    const afterPatch = await api(kit.app).get(
      `${path}?id=${created.map((c) => c.id).join('&id=')}&limit=30&brief=1`,
    );
    const deleted = await api(kit.app).delete(
      path,
      created.map(({ id }) => ({ id })),
    );
    const afterDelete = await api(kit.app).get(
      `${path}?id=${created.map((c) => c.id).join('&id=')}`,
    );

    expect(patched.status).toBe(200);
    expect(patched.body.map((c: { description: string }) => c.description)).toEqual(
      created.map(() => 'bulk'),
    );
    expect(afterPatch.body.count).toBe(30);
    expect(deleted.status).toBe(204);
    expect(afterDelete.body.count).toBe(0);
  });

  it('when placeholders and variables do not match, then 400 names both sides', async () => {
    const res = await api(kit.app).post('/api/plugins/toolkit/commands/', {
      name: unique('bad'),
      command: 'show vlan <vid> <other-thing>',
      platforms: [ios.id],
      variables: [{ name: 'unused' }, { name: '9x' }],
    });

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      command: [
        'Invalid placeholder <other-thing>: a name starts with a letter and contains only letters, digits and underscores (for example <other_thing>).',
        'Placeholders without a variable: <vid>.',
      ],
      variables: [
        'Variable name "9x" is invalid: a name starts with a letter and contains only letters, digits and underscores (for example "v9x").',
        'Variables without a placeholder in the command: unused.',
      ],
    });
  });

  it('when a command type is invalid, then the DRF choice message comes back', async () => {
    const res = await api(kit.app).post('/api/plugins/toolkit/commands/', {
      name: unique('x'),
      command: 'show version',
      platforms: [ios.id],
      command_type: 'x',
    });

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ command_type: ['"x" is not a valid choice.'] });
  });

  it('when a body has a misspelt field, then 400 names it with the field meant, instead of storing a show command', async () => {
    const name = unique('typo');
    const created = await api(kit.app).post('/api/plugins/toolkit/commands/', {
      name,
      command: 'interface Gi0/1',
      platforms: [ios.id],
      comand_type: 'config',
    });
    const stored = await api(kit.app).get(`/api/plugins/toolkit/commands/?name=${name}`);

    expect(created.status).toBe(400);
    expect(created.body).toEqual({ comand_type: ['Unknown field. Did you mean "command_type"?'] });
    expect(stored.body.count).toBe(0);
  });

  it('when a client sends back read-only fields it was given, then they are accepted and ignored', async () => {
    const { id } = await command({ name: unique('rt'), command: 'show clock' });
    const got = await api(kit.app).get(`/api/plugins/toolkit/commands/${id}/`);
    const { platforms: _nested, ...representation } = got.body as Record<string, unknown>;

    const put = await api(kit.app).put(`/api/plugins/toolkit/commands/${id}/`, {
      ...representation,
      platforms: [ios.id],
      description: 'round trip',
    });
    const patched = await api(kit.app).patch(`/api/plugins/toolkit/commands/${id}/`, {
      id: 999_999,
      url: 'https://elsewhere.example/',
      descripton: 'typo',
    });

    expect([put.status, put.body.id, put.body.description]).toEqual([200, id, 'round trip']);
    expect([patched.status, patched.body]).toEqual([
      400,
      { descripton: ['Unknown field. Did you mean "description"?'] },
    ]);
  });

  it("when commands are filtered with the original's and the documented names, then both work", async () => {
    const tag = unique('cf');
    await api(kit.app).post('/api/plugins/toolkit/commands/', [
      { name: `${tag} show version`, command: 'show version', platforms: [ios.id], tags: [tag] },
      {
        name: `${tag} conf hostname`,
        command: 'hostname x',
        platforms: [eos.id],
        command_type: 'config',
        tags: [tag],
        description: 'Sets the Hostname',
      },
    ]);
    const q = async (query: string) =>
      (
        await api(kit.app).get(`/api/plugins/toolkit/commands/?tag=${tag}&${query}`)
      ).body.results.map((c: { command: string }) => c.command);

    expect(await q('command_type=config')).toEqual(['hostname x']);
    expect(await q(`platform_id=${eos.id}`)).toEqual(['hostname x']);
    expect(await q(`platforms=${ios.id}`)).toEqual(['show version']);
    expect(await q(`platform_slug=${ios.name.slice(0, 2).toLowerCase()}`)).toEqual([
      'show version',
    ]);
    expect(await q('name_icontains=VERSION')).toEqual(['show version']);
    expect(await q('name__icontains=conf')).toEqual(['hostname x']);
    expect(await q('description_icontains=hostname')).toEqual(['hostname x']);
    expect(await q('q=hostname')).toEqual(['hostname x']);
    expect(await q('created_after=2000-01-01&ordering=-name')).toEqual([
      'show version',
      'hostname x',
    ]);
  });

  it('when every variable type is rendered with valid values, then the rendered command, device target and sealed credentials come back', async () => {
    const c = await command({
      name: unique('all'),
      command: 'x <i> <v> <n> <ip> <t> <d>',
      command_type: 'config',
      parsing_template: 'Value X (\\S+)\n\nStart\n  ^${X}\n',
      variables: [
        { name: 'i', variable_type: 'netbox_interface' },
        { name: 'v', variable_type: 'netbox_vlan' },
        { name: 'n', variable_type: 'netbox_vlan_name' },
        { name: 'ip', variable_type: 'netbox_ip' },
        { name: 't', variable_type: 'text' },
        { name: 'd', variable_type: 'text', default_value: 'dflt' },
      ],
    });
    const executionId = randomUUID();

    const res = await api(kit.app).post('/internal/render', {
      execution_id: executionId,
      command_id: c.id,
      device_id: device.id,
      variables: {
        i: 'GigabitEthernet0/10',
        v: '20',
        n: 'MGMT',
        ip: '2001:db8::1',
        t: 'hello world',
      },
      credentials: { username: 'admin', password: 's3cret', enable_secret: 'en' },
      requester: { id: ALICE.id, username: ALICE.username },
      permissions: {
        execute_show: null,
        execute_config: null,
        view_command: null,
        view_device: null,
      },
    });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      rendered_command: 'x GigabitEthernet0/10 20 MGMT 2001:db8::1 hello world dflt',
      variables: {
        i: 'GigabitEthernet0/10',
        v: '20',
        n: 'MGMT',
        ip: '2001:db8::1',
        t: 'hello world',
        d: 'dflt',
      },
      command: {
        id: c.id,
        name: expect.any(String),
        command_type: 'config',
      },
      parsing: { template: 'inline', texts: ['Value X (\\S+)\n\nStart\n  ^${X}\n'] },
      device: {
        id: device.id,
        name: device.name,
        host: '10.1.0.1',
        port: 2222,
        platform: 'cisco_ios',
      },
      credentials: {
        alg: 'A256GCM',
        kid: 'e1',
        iv: expect.any(String),
        tag: expect.any(String),
        ct: expect.any(String),
      },
      username: 'admin',
      credential_set: null,
    });
    expect(JSON.stringify(res.body)).not.toContain('s3cret');
    expect(openJson(kit.keys.execution, res.body.credentials, executionId)).toEqual({
      username: 'admin',
      password: 's3cret',
      enableSecret: 'en',
    });
  });

  it('when variables are invalid, then render answers 400 per variable with suggestions', async () => {
    const c = await command({
      name: unique('bad vars'),
      command: 'x <i> <v> <n> <ip> <t>',
      variables: [
        { name: 'i', variable_type: 'netbox_interface' },
        { name: 'v', variable_type: 'netbox_vlan' },
        { name: 'n', variable_type: 'netbox_vlan_name' },
        { name: 'ip', variable_type: 'netbox_ip' },
        { name: 't', variable_type: 'text' },
      ],
    });

    const res = await render(c.id, {
      i: 'GigabitEthernet0/2',
      v: '21',
      n: 'USER',
      ip: '10.1.0.9',
      t: 'a\nreload',
    });

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      variables: {
        i: [
          `Interface 'GigabitEthernet0/2' not found on device '${device.name}'. Did you mean: GigabitEthernet0/1, GigabitEthernet0/10?`,
        ],
        v: [
          `VLAN 21 not found on device '${device.name}' interfaces or its site. Did you mean: 20, 10, 99?`,
        ],
        n: [
          `VLAN 'USER' not found on device '${device.name}' interfaces or its site. Did you mean: USERS?`,
        ],
        ip: [
          `IP address '10.1.0.9' is not assigned to device '${device.name}'. Did you mean: 10.1.0.1?`,
        ],
        t: ['The value must not contain line breaks or control characters.'],
      },
      validation_details: {
        i: {
          variable_type: 'netbox_interface',
          provided_value: 'GigabitEthernet0/2',
          error_type: 'netbox_data_validation',
          message: expect.any(String),
          suggestions: ['GigabitEthernet0/1', 'GigabitEthernet0/10'],
        },
        v: {
          variable_type: 'netbox_vlan',
          provided_value: '21',
          error_type: 'netbox_data_validation',
          message: expect.any(String),
          suggestions: ['20', '10', '99'],
        },
        n: {
          variable_type: 'netbox_vlan_name',
          provided_value: 'USER',
          error_type: 'netbox_data_validation',
          message: expect.any(String),
          suggestions: ['USERS'],
        },
        ip: {
          variable_type: 'netbox_ip',
          provided_value: '10.1.0.9',
          error_type: 'netbox_data_validation',
          message: expect.any(String),
          suggestions: ['10.1.0.1'],
        },
        t: {
          variable_type: 'text',
          provided_value: 'a\nreload',
          error_type: 'invalid_value',
          message: expect.any(String),
          suggestions: [],
        },
      },
    });
  });

  it('when the command or device does not exist, or the command is for another platform, then render says so precisely', async () => {
    const c = await command({ name: unique('v'), command: 'show version' });
    const eosOnly = await command({
      name: unique('e'),
      command: 'show version',
      platforms: [eos.id],
    });

    const noCommand = await render(99999999, {});
    const noDevice = await api(kit.app).post('/internal/render', {
      execution_id: randomUUID(),
      command_id: c.id,
      device_id: 99999999,
      credentials: { username: 'a', password: 'b' },
      requester: { id: 1, username: 'x' },
      permissions: {
        execute_show: null,
        execute_config: null,
        view_command: null,
        view_device: null,
      },
    });
    const wrongPlatform = await render(eosOnly.id, {});
    const badBody = await api(kit.app).post('/internal/render', { command_id: 'x' });

    expect(noCommand.status).toBe(404);
    expect(noCommand.body).toEqual({ detail: 'Not found.' });
    expect(noDevice.status).toBe(400);
    expect(noDevice.body).toEqual({ device_id: ['Device with ID 99999999 not found.'] });
    expect(wrongPlatform.status).toBe(400);
    expect(wrongPlatform.body).toEqual({
      device_id: [
        `Command '${(await api(kit.app).get(`/api/plugins/toolkit/commands/${eosOnly.id}/`)).body.name}' does not apply to platform '${ios.name}' of device '${device.name}'.`,
      ],
    });
    expect(badBody.status).toBe(400);
    expect(Object.keys(badBody.body).sort()).toEqual([
      'command_id',
      'credentials',
      'device_id',
      'execution_id',
      'permissions',
      'requester',
    ]);
  });

  it('when validate-variables is asked, then it answers like render without executing', async () => {
    const c = await command({
      name: unique('vv'),
      command: 'show vlan id <v>',
      variables: [{ name: 'v', variable_type: 'netbox_vlan' }],
    });

    const ok = await api(kit.app).post(
      `/api/plugins/toolkit/commands/${c.id}/validate-variables/`,
      { device_id: device.id, variables: { v: '99' } },
    );
    const bad = await api(kit.app).post(
      `/api/plugins/toolkit/commands/${c.id}/validate-variables/`,
      { device_id: device.id, variables: {} },
    );
    const noDevice = await api(kit.app).post(
      `/api/plugins/toolkit/commands/${c.id}/validate-variables/`,
      { device_id: 123456789 },
    );

    expect(ok.body).toEqual({
      valid: true,
      rendered_command: 'show vlan id 99',
      errors: {},
      validation_details: {},
    });
    expect(bad.body).toEqual({
      valid: false,
      rendered_command: null,
      errors: { v: ['This variable is required.'] },
      validation_details: {
        v: {
          variable_type: 'netbox_vlan',
          provided_value: null,
          error_type: 'missing',
          message: 'This variable is required.',
          suggestions: [],
        },
      },
    });
    expect(noDevice.status).toBe(400);
    expect(noDevice.body).toEqual({ device_id: ['Device with ID 123456789 not found.'] });
  });

  it('when variable choices are asked, then every type is listed from the device data, consistent with validation', async () => {
    const c = await command({
      name: unique('vc'),
      command: '<i> <v> <n> <ip>',
      variables: [
        { name: 'i', variable_type: 'netbox_interface' },
        { name: 'v', variable_type: 'netbox_vlan' },
        { name: 'n', variable_type: 'netbox_vlan_name' },
        { name: 'ip', variable_type: 'netbox_ip' },
      ],
    });

    const res = await api(kit.app).get(
      `/api/plugins/toolkit/commands/${c.id}/variable-choices/?device_id=${device.id}`,
    );
    const missing = await api(kit.app).get(
      `/api/plugins/toolkit/commands/${c.id}/variable-choices/`,
    );
    const notNumber = await api(kit.app).get(
      `/api/plugins/toolkit/commands/${c.id}/variable-choices/?device_id=abc`,
    );

    expect(res.status).toBe(200);
    expect(res.body.device_id).toBe(device.id);
    expect(res.body.variables.i.choices.map((x: { value: string }) => x.value)).toEqual([
      'GigabitEthernet0/1',
      'GigabitEthernet0/10',
      'Vlan99',
    ]);
    expect(res.body.variables.v.choices.map((x: { value: string }) => x.value)).toEqual([
      '10',
      '20',
      '99',
    ]);
    expect(res.body.variables.n.choices.map((x: { value: string }) => x.value)).toEqual([
      'USERS',
      'VOICE',
      'MGMT',
    ]);
    expect(res.body.variables.ip.choices).toEqual([
      {
        value: '10.1.0.1',
        display: '10.1.0.1/24 (active)',
        id: expect.any(Number),
        status: 'active',
      },
      {
        value: '2001:db8::1',
        display: '2001:db8::1/64 (active)',
        id: expect.any(Number),
        status: 'active',
      },
    ]);
    expect(missing.body).toEqual({ device_id: ['This parameter is required.'] });
    expect(notNumber.body).toEqual({ device_id: ['A valid integer is required.'] });
  });

  it.each(['0', '-1', '1e3', '9007199254740993', '12345678901234567890'])(
    'when variable choices are asked for device_id=%s, then 400 naming device_id, never a 500',
    async (deviceId) => {
      // Arrange
      const c = await command({ name: unique('vc-id'), command: 'show clock', variables: [] });

      // Act
      const res = await api(kit.app).get(
        `/api/plugins/toolkit/commands/${c.id}/variable-choices/?device_id=${deviceId}`,
      );

      // Assert
      expect([res.status, res.body]).toEqual([
        400,
        { device_id: ['A valid integer is required.'] },
      ]);
    },
  );

  it.each(['0', '9007199254740993'])(
    'when a command id in the path is %s, then its variable choices are a NetBox 404',
    async (id) => {
      // Act
      const res = await api(kit.app).get(
        `/api/plugins/toolkit/commands/${id}/variable-choices/?device_id=${device.id}`,
      );

      // Assert
      expect([res.status, res.body]).toEqual([404, { detail: 'Not found.' }]);
    },
  );

  it('when the command is outside the caller constraints, then render and actions answer 404', async () => {
    const c = await command({ name: unique('cfg'), command: 'hostname x', command_type: 'config' });
    const render = (permissions: Record<string, unknown>) =>
      api(kit.app, { principal: ALICE }).post(
        '/internal/render',
        renderBody(c.id, device.id, { credentials: { username: 'a', password: 'b' }, permissions }),
      );

    const outside = await render({ execute_config: [{ name__ic: 'nothing-like-it' }] });
    const inside = await render({ execute_config: [{ command_type: 'config' }] });
    const showOnly = await render({ execute_config: false });
    // Without view on it either, the command does not exist for them (its type stays hidden).
    const showOnlyBlind = await render({ execute_config: false, view_command: false });
    const showOnlyOtherView = await render({
      execute_config: false,
      view_command: [{ name: 'another-command' }],
    });
    const hiddenDevice = await render({ view_device: [{ name: 'another-device' }] });
    const noDevices = await render({ view_device: false });

    expect(outside.status).toBe(404);
    expect(outside.body).toEqual({ detail: 'Not found.' });
    expect(inside.status).toBe(200);
    expect(showOnlyBlind.status).toBe(404);
    expect(showOnlyBlind.body).toEqual({ detail: 'Not found.' });
    expect(showOnlyOtherView.status).toBe(404);
    expect(showOnly.status).toBe(403);
    expect(showOnly.body).toEqual({
      detail: 'You do not have permission to execute configuration commands.',
    });
    expect(hiddenDevice.status).toBe(400);
    expect(hiddenDevice.body).toEqual({ device_id: [`Device with ID ${device.id} not found.`] });
    expect(noDevices.body).toEqual(hiddenDevice.body);
  });
});

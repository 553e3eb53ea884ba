import { guardRegexBacktracking } from '@toolkit/service';
import { api, BASE, renderBody, startCatalog, unique } from './support/catalog-kit';
import type { CatalogKit } from './support/catalog-kit';

const PATH = '/api/plugins/toolkit/parsing-templates/';

const VERSION_TEMPLATE = [
  'Value VERSION (\\S+)',
  'Value UPTIME (.+)',
  '',
  'Start',
  '  ^.*Version ${VERSION},',
  '  ^\\S+ uptime is ${UPTIME} -> Record',
  '',
].join('\n');

const VERSION_OUTPUT = [
  'Cisco IOS Software, C3750E Software (C3750E-UNIVERSALK9-M), Version 15.2(4)E10, RELEASE SOFTWARE (fc2)',
  'core-sw-01 uptime is 3 weeks, 2 days',
  '',
].join('\n');

describe('parsing templates: the community library and custom templates', () => {
  let kit: CatalogKit;
  let ios: { id: number };
  let device: { id: number };

  beforeAll(async () => {
    kit = await startCatalog();
    const platform = await api(kit.app).post('/api/dcim/platforms/', {
      name: unique('IOS'),
      slug: unique('ios-x'),
      driver: 'cisco_ios',
    });
    ios = platform.body;
    const created = await api(kit.app).post('/api/dcim/devices/', {
      name: unique('r'),
      platform: ios.id,
      port: 2222,
      primary_ip4: '10.9.0.1/24',
      interfaces: [{ name: 'Vlan1', type: 'virtual', ip_addresses: [{ address: '10.9.0.1/24' }] }],
    });
    device = created.body;
  });

  afterAll(async () => {
    await kit.close();
  });

  function render(commandId: number) {
    return api(kit.app).post('/internal/render', renderBody(commandId, device.id));
  }

  async function command(body: Record<string, unknown>) {
    return api(kit.app).post('/api/plugins/toolkit/commands/', {
      name: unique('cmd'),
      platforms: [ios.id],
      ...body,
    });
  }

  it('when the templates are listed, then every library template is there with its platform, command, text and Value names, paged as NetBox pages', async () => {
    // Act
    const page = await api(kit.app).get(`${PATH}?source=library&limit=5`);
    const detail = await api(kit.app).get(
      `${PATH}?name=cisco_ios_show_version.textfsm&platform=cisco_ios`,
    );

    // Assert
    expect(page.status).toBe(200);
    expect(page.body.count).toBeGreaterThanOrEqual(979);
    expect(page.body.results).toHaveLength(5);
    expect(page.body.next).toBe(`${BASE}${PATH}?source=library&limit=5&offset=5`);
    expect(detail.body.count).toBe(1);
    const [template] = detail.body.results;
    expect(template).toMatchObject({
      display: 'cisco_ios_show_version.textfsm',
      source: 'library',
      platform: 'cisco_ios',
      command: 'sh[[ow]] ver[[sion]]',
      library_version: '9.3.0',
      created: null,
    });
    expect(template.values).toEqual(expect.arrayContaining(['VERSION', 'HOSTNAME', 'UPTIME']));
    expect(template.text).toContain('Value VERSION');
    const one = await api(kit.app).get(`${PATH}${template.id}/`);
    expect(one.body).toEqual(template);
  });

  it('when filtered by platform and command, then the list holds what auto selects: the rendered command is what the index sees', async () => {
    // Act
    const [version, abbreviated, interfaces, junos, none] = await Promise.all(
      [
        'platform=cisco_ios&command=show%20version',
        'platform=cisco_ios&command=sh%20ver',
        'platform=cisco_ios&command=show%20interfaces%20GigabitEthernet0/1',
        'platform=juniper_junos&command=show%20version',
        'platform=cisco_ios&command=show%20no%20such%20thing',
      ].map((query) => api(kit.app).get(`${PATH}?${query}&brief=1`)),
    );

    // Assert
    const names = (res: { body: { results: { name: string }[] } } | undefined) =>
      res?.body.results.map((r) => r.name);
    expect(names(version)).toEqual(['cisco_ios_show_version.textfsm']);
    expect(names(abbreviated)).toEqual(['cisco_ios_show_version.textfsm']);
    expect(names(interfaces)).toEqual(['cisco_ios_show_interfaces.textfsm']);
    expect(names(junos)).toEqual(['juniper_junos_show_version.textfsm']);
    expect(names(none)).toEqual([]);
  });

  it('when a custom template does not compile, then it is refused naming the text field and the template line', async () => {
    // Act
    const broken = await api(kit.app).post(PATH, {
      name: unique('broken'),
      platform: 'cisco_ios',
      command: 'sh[[ow]] foo',
      text: 'Value X (\\S+\n\nStart\n  ^${X} -> Record\n',
    });
    const badState = await api(kit.app).post(PATH, {
      name: unique('bad-state'),
      platform: 'cisco_ios',
      text: 'Value X (\\S+)\n\nStart\n  ^${X} -> Nowhere\n',
    });
    const libraryName = await api(kit.app).post(PATH, {
      name: 'cisco_ios_show_version.textfsm',
      platform: 'cisco_ios',
      text: VERSION_TEMPLATE,
    });
    const badCommand = await api(kit.app).post(PATH, {
      name: unique('bad-cmd'),
      platform: 'cisco_ios',
      command: 'show (interfaces',
      text: VERSION_TEMPLATE,
    });

    // Assert
    expect(broken.status).toBe(400);
    expect(broken.body.text[0]).toMatch(/^Line 1: /);
    expect(badState.status).toBe(400);
    expect(badState.body.text[0]).toMatch(/'Nowhere' not found/);
    expect(libraryName.status).toBe(400);
    expect(libraryName.body).toEqual({ name: ['A library template has this name.'] });
    expect(badCommand.status).toBe(400);
    expect(Object.keys(badCommand.body)).toEqual(['command']);
  });

  it('when library templates are changed or deleted, then that is refused (409) and they stay', async () => {
    // Arrange
    const listed = await api(kit.app).get(`${PATH}?name=cisco_ios_show_clock.textfsm`);
    const id = listed.body.results[0].id as number;

    // Act
    const patch = await api(kit.app).patch(`${PATH}${id}/`, { description: 'mine' });
    const remove = await api(kit.app).delete(`${PATH}${id}/`);
    const after = await api(kit.app).get(`${PATH}${id}/`);

    // Assert
    expect(patch.status).toBe(409);
    expect(remove.status).toBe(409);
    expect(after.status).toBe(200);
  });

  it('when a custom template covers the same platform and command as the library, then it takes precedence in lists, renders and parse', async () => {
    // Arrange
    const name = unique('my-version');
    const created = await api(kit.app).post(PATH, {
      name,
      platform: 'cisco_ios',
      command: 'sh[[ow]] ver[[sion]]',
      description: 'ours',
      text: VERSION_TEMPLATE,
    });
    const show = await command({ command: 'show version' });

    // Act
    const listed = await api(kit.app).get(`${PATH}?platform=cisco_ios&command=show%20version`);
    const rendered = await render(show.body.id);
    const parsed = await api(kit.app).post(`${PATH}parse/`, {
      platform: 'cisco_ios',
      command: 'show version',
      output: VERSION_OUTPUT,
    });
    await api(kit.app).delete(`${PATH}${created.body.id}/`);
    const renderedAfter = await render(show.body.id);

    // Assert
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, source: 'custom', values: ['VERSION', 'UPTIME'] });
    expect(listed.body.results.map((r: { name: string }) => r.name)).toEqual([name]);
    expect(rendered.body.parsing).toEqual({ template: name, texts: [VERSION_TEMPLATE] });
    expect(parsed.body).toEqual({
      success: true,
      method: 'textfsm',
      template: name,
      header: ['VERSION', 'UPTIME'],
      data: [{ VERSION: '15.2(4)E10', UPTIME: '3 weeks, 2 days' }],
      error: null,
    });
    expect(renderedAfter.body.parsing.template).toBe('cisco_ios_show_version.textfsm');
  });

  it('when a command is created, then show commands default to auto and config commands to none; a name that exists, inline text and none are accepted, anything else is refused naming parsing_template', async () => {
    // Act
    const show = await command({ command: 'show ip interface brief' });
    const config = await command({ command: 'hostname r1', command_type: 'config' });
    const named = await command({
      command: 'show clock',
      parsing_template: 'cisco_ios_show_clock.textfsm',
    });
    const inline = await command({ command: 'show version', parsing_template: VERSION_TEMPLATE });
    const none = await command({ command: 'show users', parsing_template: 'none' });
    const missing = await command({ command: 'show users', parsing_template: 'no_such.textfsm' });
    const broken = await command({
      command: 'show users',
      parsing_template: 'Value X (\n\nStart\n',
    });

    // Assert
    expect(show.body.parsing_template).toBe('auto');
    expect(config.body.parsing_template).toBeNull();
    expect(named.body.parsing_template).toBe('cisco_ios_show_clock.textfsm');
    expect(inline.body.parsing_template).toBe(VERSION_TEMPLATE);
    expect(none.body.parsing_template).toBeNull();
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      parsing_template: ["No parsing template is named 'no_such.textfsm'."],
    });
    expect(broken.status).toBe(400);
    expect(broken.body.parsing_template[0]).toMatch(/^Line 1: /);
    const [auto, byName, byText, off] = await Promise.all(
      [show, named, inline, none].map((c) => render(c.body.id)),
    );
    expect(auto?.body.parsing?.template).toBe('cisco_ios_show_ip_interface_brief.textfsm');
    expect(auto?.body.parsing?.texts[0]).toContain('Value');
    expect(byName?.body.parsing?.template).toBe('cisco_ios_show_clock.textfsm');
    expect(byText?.body.parsing).toEqual({ template: 'inline', texts: [VERSION_TEMPLATE] });
    expect(off?.body.parsing).toBeNull();
  });

  it('when a custom template a command names is deleted, then that is refused; when it is renamed, then the command follows', async () => {
    // Arrange
    const name = unique('clock');
    const created = await api(kit.app).post(PATH, {
      name,
      platform: 'cisco_ios',
      text: VERSION_TEMPLATE,
    });
    const user = await command({ command: 'show clock', parsing_template: name });

    // Act
    const remove = await api(kit.app).delete(`${PATH}${created.body.id}/`);
    const renamed = await api(kit.app).patch(`${PATH}${created.body.id}/`, { name: `${name}-2` });
    const after = await api(kit.app).get(`/api/plugins/toolkit/commands/${user.body.id}/`);

    // Assert
    expect(remove.status).toBe(409);
    expect(remove.body.detail).toContain(name);
    expect(renamed.status).toBe(200);
    expect(after.body.parsing_template).toBe(`${name}-2`);
  });

  it('when pasted output is parsed, then inline text, a name and an index lookup give records; a template failing on the output is success false with the error; nothing found is a 400 naming the field', async () => {
    // Act
    const inline = await api(kit.app).post(`${PATH}parse/`, {
      template: VERSION_TEMPLATE,
      output: VERSION_OUTPUT,
    });
    const byName = await api(kit.app).post(`${PATH}parse/`, {
      template_name: 'cisco_ios_show_version.textfsm',
      output: VERSION_OUTPUT,
    });
    const failing = await api(kit.app).post(`${PATH}parse/`, {
      template: 'Value X (\\S+)\n\nStart\n  ^Cisco -> Error "not here"\n',
      output: VERSION_OUTPUT,
    });
    const unknownName = await api(kit.app).post(`${PATH}parse/`, {
      template_name: 'nope.textfsm',
      output: 'x',
    });
    const noTemplate = await api(kit.app).post(`${PATH}parse/`, {
      platform: 'cisco_ios',
      command: 'show nothing at all',
      output: 'x',
    });
    const frr = await api(kit.app).post(`${PATH}parse/`, {
      platform: 'frr',
      command: 'show version',
      output: 'x',
    });
    const both = await api(kit.app).post(`${PATH}parse/`, {
      template: VERSION_TEMPLATE,
      template_name: 'cisco_ios_show_version.textfsm',
      output: 'x',
    });
    const brokenInline = await api(kit.app).post(`${PATH}parse/`, {
      template: 'Value X (\\S+)\n\nStart\n  ^${Y} -> Record\n',
      output: 'x',
    });

    // Assert
    expect(inline.body.data).toEqual([{ VERSION: '15.2(4)E10', UPTIME: '3 weeks, 2 days' }]);
    expect(byName.status).toBe(200);
    expect(byName.body).toMatchObject({
      success: true,
      template: 'cisco_ios_show_version.textfsm',
    });
    expect(byName.body.data[0]).toMatchObject({ VERSION: '15.2(4)E10', UPTIME: '3 weeks, 2 days' });
    expect(failing.status).toBe(200);
    expect(failing.body).toMatchObject({ success: false, method: 'textfsm', template: 'inline' });
    expect(failing.body.error).toContain('not here');
    expect(unknownName.status).toBe(400);
    expect(Object.keys(unknownName.body)).toEqual(['template_name']);
    expect(noTemplate.status).toBe(400);
    expect(Object.keys(noTemplate.body)).toEqual(['command']);
    expect(frr.status).toBe(400);
    expect(both.status).toBe(400);
    expect(Object.keys(both.body)).toEqual(['non_field_errors']);
    expect(brokenInline.status).toBe(400);
    expect(brokenInline.body.template[0]).toMatch(/^Line 4: /);
  });

  it('when a pasted template backtracks catastrophically on the output, then the answer still comes (the services run with the backtracking guard)', async () => {
    // Arrange: as runService does at boot.
    guardRegexBacktracking();
    const template = 'Value WORDS ((\\w+\\s?)+)\n\nStart\n  ^${WORDS}$$ -> Record\n';

    // Act
    const res = await api(kit.app).post(`${PATH}parse/`, {
      template,
      output: `${'a'.repeat(40)}!\nshort words\n`,
    });

    // Assert
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([{ WORDS: 'short words' }]);
  });
});

import request from 'supertest';
import { api, BASE, startCatalog, unique } from './support/catalog-kit';
import type { CatalogKit } from './support/catalog-kit';

describe('inventory resources (platforms, sites, devices, interfaces, VLANs, IP addresses)', () => {
  let kit: CatalogKit;

  beforeAll(async () => {
    kit = await startCatalog();
  });

  afterAll(async () => {
    await kit.close();
  });

  async function platform(slug = unique('ios')) {
    const res = await api(kit.app).post('/api/dcim/platforms/', { name: slug, slug });
    expect(res.status).toBe(201);
    return res.body as { id: number; slug: string; name: string };
  }

  async function site(slug = unique('site')) {
    const res = await api(kit.app).post('/api/dcim/sites/', { name: slug, slug });
    expect(res.status).toBe(201);
    return res.body as { id: number; slug: string; name: string };
  }

  it('when a platform is created, then it is answered in NetBox shape with public URLs', async () => {
    const slug = unique('ios');
    const res = await api(kit.app).post('/api/dcim/platforms/', {
      name: `Cisco IOS ${slug}`,
      slug,
      driver: 'cisco_ios',
      tags: ['core', { name: 'Edge Routers' }],
      custom_fields: { owner: 'netops' },
    });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      url: `${BASE}/api/dcim/platforms/${res.body.id}/`,
      display: `Cisco IOS ${slug}`,
      name: `Cisco IOS ${slug}`,
      slug,
      description: '',
      driver: 'cisco_ios',
      netbox_id: null,
      tags: [
        { name: 'core', slug: 'core', display: 'core' },
        { name: 'Edge Routers', slug: 'edge-routers', display: 'Edge Routers' },
      ],
      custom_fields: { owner: 'netops' },
      created: expect.any(String),
      last_updated: expect.any(String),
    });
  });

  it('when platforms use the original alias slugs, then each maps to its driver', async () => {
    const cases: [string, string | null][] = [
      ['ios', 'cisco_ios'],
      ['ios-xe', 'cisco_ios'],
      ['nexus', 'cisco_nxos'],
      ['iosxr', 'cisco_xr'],
      ['eos', 'arista_eos'],
      ['junos', 'juniper_junos'],
      ['frr', 'frr'],
      ['asa', null],
    ];
    const res = await api(kit.app).post(
      '/api/dcim/platforms/',
      cases.map(([slug]) => ({ name: `alias ${slug}`, slug })),
    );

    expect(res.status).toBe(201);
    expect(
      res.body.map((p: { slug: string; driver: string | null }) => [p.slug, p.driver]),
    ).toEqual(cases);
  });

  it('when a device is created, then it is read back with brief nested platform, site and defaults', async () => {
    const p = await platform();
    const st = await site();
    const name = unique('r');

    const created = await api(kit.app).post('/api/dcim/devices/', {
      name,
      platform: p.id,
      site: st.id,
      host: 'r1.example.net',
    });
    const read = await api(kit.app).get(`/api/dcim/devices/${created.body.id}/`);

    expect(created.status).toBe(201);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      id: created.body.id,
      url: `${BASE}/api/dcim/devices/${created.body.id}/`,
      display: name,
      name,
      platform: {
        id: p.id,
        url: `${BASE}/api/dcim/platforms/${p.id}/`,
        display: p.name,
        name: p.name,
        slug: p.slug,
      },
      site: {
        id: st.id,
        url: `${BASE}/api/dcim/sites/${st.id}/`,
        display: st.name,
        name: st.name,
        slug: st.slug,
      },
      status: { value: 'active', label: 'Active' },
      serial: '',
      description: '',
      host: 'r1.example.net',
      port: 22,
      primary_ip: null,
      primary_ip4: null,
      primary_ip6: null,
      netbox_id: null,
      tags: [],
      custom_fields: {},
      created: expect.any(String),
      last_updated: expect.any(String),
    });
  });

  it('when a device is created with nested interfaces, VLANs and addresses, then everything is created and the primary IP resolved', async () => {
    const p = await platform();
    const st = await site();
    const vlan = await api(kit.app).post('/api/ipam/vlans/', {
      vid: 10,
      name: 'USERS',
      site: st.id,
    });
    const name = unique('sw');

    const res = await api(kit.app).post('/api/dcim/devices/', [
      {
        name,
        platform: p.id,
        site: st.id,
        primary_ip4: '10.9.0.1/24',
        interfaces: [
          { name: 'Gi0/1', type: '1000base-t', mode: 'access', untagged_vlan: vlan.body.id },
          { name: 'Vlan10', type: 'virtual', ip_addresses: [{ address: '10.9.0.1/24' }] },
        ],
      },
    ]);
    const interfaces = await api(kit.app).get(
      `/api/dcim/interfaces/?device_id=${res.body[0].id}&brief=true`,
    );
    const ips = await api(kit.app).get(
      `/api/ipam/ip-addresses/?device=${name}&fields=address,assigned_object`,
    );

    expect(res.status).toBe(201);
    expect(res.body[0].primary_ip4).toEqual({
      id: expect.any(Number),
      url: expect.stringMatching(/\/api\/ipam\/ip-addresses\/\d+\/$/),
      display: '10.9.0.1/24',
      family: 4,
      address: '10.9.0.1/24',
    });
    expect(interfaces.body.results.map((i: { name: string }) => i.name)).toEqual([
      'Gi0/1',
      'Vlan10',
    ]);
    expect(Object.keys(interfaces.body.results[0])).toEqual([
      'id',
      'url',
      'display',
      'device',
      'name',
      'description',
    ]);
    expect(ips.body.results).toEqual([
      {
        address: '10.9.0.1/24',
        assigned_object: {
          id: interfaces.body.results[1].id,
          url: `${BASE}/api/dcim/interfaces/${interfaces.body.results[1].id}/`,
          display: 'Vlan10',
          device: {
            id: res.body[0].id,
            url: `${BASE}/api/dcim/devices/${res.body[0].id}/`,
            display: name,
            name,
          },
          name: 'Vlan10',
        },
      },
    ]);
  });

  it('when one item of a bulk create is invalid, then nothing is created and each item gets its errors', async () => {
    const p = await platform();
    const names = [unique('a'), unique('b')];

    const res = await api(kit.app).post('/api/dcim/devices/', [
      { name: names[0], platform: p.id },
      { name: names[1], platform: 999999, port: 70000 },
    ]);
    const after = await api(kit.app).get(`/api/dcim/devices/?name=${names[0]}&name=${names[1]}`);

    expect(res.status).toBe(400);
    expect(res.body).toEqual([{}, { port: ['Too big: expected number to be <=65535'] }]);
    expect(after.body.count).toBe(0);
    const missing = await api(kit.app).post('/api/dcim/devices/', [
      { name: names[0] },
      { name: names[1], platform: 999999 },
    ]);
    expect(missing.body).toEqual([
      {},
      { platform: ['Invalid pk "999999" - object does not exist.'] },
    ]);
    expect((await api(kit.app).get(`/api/dcim/devices/?name=${names[0]}`)).body.count).toBe(0);
  });

  it('when a nested interface of a bulk device create is invalid, then no device, interface or address is created', async () => {
    const name = unique('n');

    const res = await api(kit.app).post('/api/dcim/devices/', [
      { name, interfaces: [{ name: 'Gi0/1', ip_addresses: [{ address: '10.0.0.300/24' }] }] },
    ]);

    expect(res.status).toBe(400);
    expect(res.body).toEqual([
      {
        'ip_addresses.0.address': ['Enter a valid IPv4 or IPv6 address with a mask: 10.0.0.300/24'],
      },
    ]);
    expect((await api(kit.app).get(`/api/dcim/devices/?name=${name}`)).body.count).toBe(0);
    expect((await api(kit.app).get(`/api/dcim/interfaces/?device=${name}`)).body.count).toBe(0);
  });

  it('when a name or slug is taken, then the answer is 409 naming the field, also within one bulk request', async () => {
    const p = await platform();

    const sameSlug = await api(kit.app).post('/api/dcim/platforms/', {
      name: unique('other'),
      slug: p.slug,
    });
    const inBatch = await api(kit.app).post('/api/dcim/sites/', [
      { name: 'dup', slug: unique('s1') },
      { name: 'dup', slug: unique('s2') },
    ]);

    expect(sameSlug.status).toBe(409);
    expect(sameSlug.body).toEqual({
      detail: 'A platform with this slug already exists.',
      slug: ['A platform with this slug already exists.'],
    });
    expect(inBatch.status).toBe(409);
    expect(inBatch.body).toEqual({
      detail: 'A site with this name already exists.',
      name: ['A site with this name already exists.'],
    });
  });

  it('when a platform or site is still used, then deleting it is refused with 409', async () => {
    const p = await platform();
    const st = await site();
    await api(kit.app).post('/api/dcim/devices/', {
      name: unique('d'),
      platform: p.id,
      site: st.id,
    });

    const platformDelete = await api(kit.app).delete(`/api/dcim/platforms/${p.id}/`);
    const siteDelete = await api(kit.app).delete(`/api/dcim/sites/${st.id}/`);

    expect(platformDelete.status).toBe(409);
    expect(platformDelete.body).toEqual({
      detail: `Cannot delete platform '${p.name}': still used by 1 device.`,
    });
    expect(siteDelete.status).toBe(409);
    expect(siteDelete.body).toEqual({
      detail: `Cannot delete site '${st.name}': still used by 1 device.`,
    });
  });

  it('when a device is deleted, then its interfaces and addresses go with it (as NetBox)', async () => {
    const name = unique('gone');
    const created = await api(kit.app).post('/api/dcim/devices/', {
      name,
      interfaces: [{ name: 'eth0', ip_addresses: [{ address: '192.0.2.7/32' }] }],
    });

    const deleted = await api(kit.app).delete(`/api/dcim/devices/${created.body.id}/`);

    expect(deleted.status).toBe(204);
    expect(
      (await api(kit.app).get(`/api/dcim/interfaces/?device_id=${created.body.id}`)).body.count,
    ).toBe(0);
    expect(
      (await api(kit.app).get(`/api/ipam/ip-addresses/?device_id=${created.body.id}`)).body.count,
    ).toBe(0);
  });

  it('when a platform is renamed, then devices show the new name (denormalised copies follow)', async () => {
    const p = await platform();
    const d = await api(kit.app).post('/api/dcim/devices/', { name: unique('d'), platform: p.id });

    const patched = await api(kit.app).patch(`/api/dcim/platforms/${p.id}/`, {
      name: `${p.name}-renamed`,
    });
    const device = await api(kit.app).get(`/api/dcim/devices/${d.body.id}/`);

    expect(patched.status).toBe(200);
    expect(device.body.platform.name).toBe(`${p.name}-renamed`);
  });

  it('when devices are bulk-updated and bulk-deleted, then all change or none', async () => {
    const names = [unique('u'), unique('u')];
    const created = await api(kit.app).post(
      '/api/dcim/devices/',
      names.map((name) => ({ name })),
    );
    const ids = created.body.map((d: { id: number }) => d.id);

    // A bulk PUT with partial objects, as the original's documentation shows.
    const patched = await api(kit.app).put('/api/dcim/devices/', [
      { id: ids[0], status: 'planned' },
      { id: ids[1], status: 'offline', port: 2222 },
    ]);
    const refused = await api(kit.app).patch('/api/dcim/devices/', [
      { id: ids[0], status: 'failed' },
      { id: ids[1], status: 'nonsense' },
    ]);
    const readBack = await api(kit.app).get(
      `/api/dcim/devices/?id=${ids[0]}&id=${ids[1]}&ordering=id`,
    );
    const deleted = await api(kit.app).delete(
      '/api/dcim/devices/',
      ids.map((id: number) => ({ id })),
    );

    expect(patched.status).toBe(200);
    expect(
      patched.body.map((d: { status: { value: string }; port: number }) => [
        d.status.value,
        d.port,
      ]),
    ).toEqual([
      ['planned', 22],
      ['offline', 2222],
    ]);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual([{}, { status: ['"nonsense" is not a valid choice.'] }]);
    expect(readBack.body.results.map((d: { status: { value: string } }) => d.status.value)).toEqual(
      ['planned', 'offline'],
    );
    expect(deleted.status).toBe(204);
    expect(
      (await api(kit.app).get(`/api/dcim/devices/?id=${ids[0]}&id=${ids[1]}`)).body.count,
    ).toBe(0);
  });

  it('when a PUT omits a required field, then it is refused naming it', async () => {
    const st = await site();

    const res = await api(kit.app).put(`/api/dcim/sites/${st.id}/`, { name: 'x' });

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ slug: ['This field is required.'] });
  });

  describe('lists', () => {
    // No 'a' in the random part: name__nic=a must exclude only the fixtures' own names.
    const tag = unique('lst').replace(/a/g, 'f');
    let platformId: number;
    let ids: number[];

    beforeAll(async () => {
      const p = await platform(unique('eos'));
      platformId = p.id;
      const created = await api(kit.app).post(
        '/api/dcim/devices/',
        ['alpha', 'bravo', 'charlie', 'delta', 'echo'].map((n, i) => ({
          name: `${tag}-${n}`,
          platform: i % 2 === 0 ? p.id : null,
          status: i < 2 ? 'planned' : 'active',
          serial: `SN${i}`,
          port: 22 + i,
          tags: [tag],
        })),
      );
      ids = created.body.map((d: { id: number }) => d.id);
    });

    const names = (body: { results: { name: string }[] }) =>
      body.results.map((r) => r.name.replace(`${tag}-`, ''));

    it.each([
      ['name__ic=ALP', ['alpha']],
      ['name__nic=a', ['echo']],
      ['name__isw=' + 'TAG-b', ['bravo']],
      ['name__iew=LTA', ['delta']],
      ['name__n=TAG-alpha&name__n=TAG-bravo', ['charlie', 'delta', 'echo']],
      ['status=planned', ['alpha', 'bravo']],
      ['status__n=planned', ['charlie', 'delta', 'echo']],
      ['port__gte=24', ['charlie', 'delta', 'echo']],
      ['port__lt=23', ['alpha']],
      ['serial=SN1&serial=SN3', ['bravo', 'delta']],
      ['platform_id=PID', ['alpha', 'charlie', 'echo']],
      ['platform_id__isnull=true', ['bravo', 'delta']],
      ['q=sn4', ['echo']],
      ['ordering=-name', ['echo', 'delta', 'charlie', 'bravo', 'alpha']],
      ['ordering=status,-port', ['echo', 'delta', 'charlie', 'bravo', 'alpha']],
      ['description__empty=true&name__ic=echo', ['echo']],
    ])('when filtered with %s, then the matching devices come back', async (query, expected) => {
      const q = query.replace(/TAG/g, tag).replace('PID', String(platformId));

      const res = await api(kit.app).get(`/api/dcim/devices/?tag=${tag}&${q}`);

      expect(res.status).toBe(200);
      expect(names(res.body)).toEqual(expected);
    });

    it('when paging, then next and previous are absolute public URLs keeping the other parameters', async () => {
      const first = await api(kit.app).get(`/api/dcim/devices/?tag=${tag}&limit=2`);
      const second = await api(kit.app).get(`/api/dcim/devices/?tag=${tag}&limit=2&offset=2`);

      expect(first.body).toEqual({
        count: 5,
        next: `${BASE}/api/dcim/devices/?tag=${tag}&limit=2&offset=2`,
        previous: null,
        results: expect.any(Array),
      });
      expect(names(first.body)).toEqual(['alpha', 'bravo']);
      expect(second.body.previous).toBe(`${BASE}/api/dcim/devices/?tag=${tag}&limit=2`);
      expect(second.body.next).toBe(`${BASE}/api/dcim/devices/?tag=${tag}&limit=2&offset=4`);
    });

    it('when fields, omit or brief are asked for, then only those fields come back', async () => {
      const fields = await api(kit.app).get(`/api/dcim/devices/?tag=${tag}&fields=id,name&limit=1`);
      const omit = await api(kit.app).get(
        `/api/dcim/devices/?tag=${tag}&omit=tags,custom_fields,platform&limit=1`,
      );
      const brief = await api(kit.app).get(`/api/dcim/devices/?tag=${tag}&brief=1&limit=1`);

      expect(fields.body.results).toEqual([{ id: ids[0], name: `${tag}-alpha` }]);
      expect(Object.keys(omit.body.results[0])).not.toEqual(
        expect.arrayContaining(['tags', 'platform']),
      );
      expect(brief.body.results).toEqual([
        {
          id: ids[0],
          url: `${BASE}/api/dcim/devices/${ids[0]}/`,
          display: `${tag}-alpha`,
          name: `${tag}-alpha`,
          description: '',
        },
      ]);
    });

    it('when a filter is unknown or malformed, then 400 names it', async () => {
      const res = await api(kit.app).get(
        '/api/dcim/devices/?nmae=x&port=abc&status=weird&ordering=nope',
      );

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        ordering: ['Invalid ordering field: nope.'],
        nmae: ['Unknown filter parameter.'],
        port: ['Enter a whole number.'],
        status: ['Select a valid choice. weird is not one of the available choices.'],
      });
    });

    it('when permission constraints apply, then lists and details show only matching objects', async () => {
      const constrained = api(kit.app, { constraints: [{ status: 'planned' }] });

      const list = await constrained.get(`/api/dcim/devices/?tag=${tag}`);
      const hidden = await constrained.get(`/api/dcim/devices/${ids[4]}/`);

      expect(names(list.body)).toEqual(['alpha', 'bravo']);
      expect(hidden.status).toBe(404);
      expect(hidden.body).toEqual({ detail: 'Not found.' });
    });

    it('when a write would leave or start outside the constraints, then it is refused with 403', async () => {
      const constrained = api(kit.app, { constraints: [{ status: 'planned' }] });

      const leaves = await constrained.patch(`/api/dcim/devices/${ids[0]}/`, { status: 'active' });
      const outside = await constrained.patch(`/api/dcim/devices/${ids[4]}/`, {
        status: 'planned',
      });
      const createOutside = await constrained.post('/api/dcim/devices/', {
        name: unique('x'),
        status: 'active',
      });

      expect(leaves.status).toBe(403);
      expect(leaves.body).toEqual({ detail: 'You do not have permission to perform this action.' });
      expect(outside.status).toBe(403);
      expect(createOutside.status).toBe(403);
      expect((await api(kit.app).get(`/api/dcim/devices/${ids[0]}/`)).body.status.value).toBe(
        'planned',
      );
    });
  });

  it('when OPTIONS is asked on a list, then choice fields list their choices under actions.POST', async () => {
    const res = await api(kit.app).options('/api/dcim/devices/');

    expect(res.status).toBe(200);
    expect(res.body.name).toBe('Device List');
    expect(res.body.actions.POST.status).toEqual({
      type: 'choice',
      required: false,
      read_only: false,
      label: 'Status',
      choices: [
        { value: 'offline', display_name: 'Offline' },
        { value: 'active', display_name: 'Active' },
        { value: 'planned', display_name: 'Planned' },
        { value: 'staged', display_name: 'Staged' },
        { value: 'failed', display_name: 'Failed' },
        { value: 'inventory', display_name: 'Inventory' },
        { value: 'decommissioning', display_name: 'Decommissioning' },
      ],
    });
    expect(res.body.actions.POST.name).toEqual({
      type: 'string',
      required: true,
      read_only: false,
      label: 'Name',
      max_length: 64,
    });
  });

  it('when OPTIONS is asked on a detail, then the fields come under actions.PUT, as DRF names a detail write', async () => {
    const res = await api(kit.app).options('/api/dcim/devices/1/');

    expect(res.status).toBe(200);
    expect(res.headers['allow']).toBe('GET, PUT, PATCH, DELETE, HEAD, OPTIONS');
    expect(res.body.name).toBe('Device');
    expect(Object.keys(res.body.actions)).toEqual(['PUT']);
    expect(res.body.actions.PUT.name).toMatchObject({ type: 'string', required: true });
  });

  it('when the internal token is missing or wrong, then the request is refused with 401', async () => {
    const missing = await request(kit.app).get('/api/dcim/devices/');
    const wrong = await request(kit.app)
      .get('/api/dcim/devices/')
      .set('x-toolkit-internal-token', 'nope');

    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ detail: 'Authentication credentials were not provided.' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ detail: 'Invalid token.' });
  });

  it('when VLANs and interfaces reference each other, then filters by vid, site and VLAN work and a used VLAN cannot be deleted', async () => {
    const st = await site();
    const vlans = await api(kit.app).post('/api/ipam/vlans/', [
      { vid: 100, name: 'DATA', site: st.id },
      { vid: 200, name: 'VOICE', site: st.id },
    ]);
    const d = await api(kit.app).post('/api/dcim/devices/', { name: unique('acc'), site: st.id });
    await api(kit.app).post('/api/dcim/interfaces/', {
      device: d.body.id,
      name: 'Gi0/1',
      mode: 'tagged',
      untagged_vlan: vlans.body[0].id,
      tagged_vlans: [vlans.body[1].id],
    });

    const bySite = await api(kit.app).get(`/api/ipam/vlans/?site_id=${st.id}&vid__gte=150`);
    const byVlan = await api(kit.app).get(`/api/dcim/interfaces/?vlan_id=${vlans.body[1].id}`);
    const blockedDelete = await api(kit.app).delete(`/api/ipam/vlans/${vlans.body[0].id}/`);
    const duplicateVid = await api(kit.app).post('/api/ipam/vlans/', {
      vid: 100,
      name: 'AGAIN',
      site: st.id,
    });

    expect(bySite.body.results.map((v: { display: string }) => v.display)).toEqual(['VOICE (200)']);
    expect(byVlan.body.results.map((i: { name: string }) => i.name)).toEqual(['Gi0/1']);
    expect(blockedDelete.status).toBe(409);
    expect(blockedDelete.body).toEqual({
      detail: "Cannot delete VLAN 'DATA (100)': still used by 1 interface.",
    });
    expect(duplicateVid.status).toBe(409);
  });
});

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Inventory, InventoryDevice } from '@toolkit/device-sim';
import { wireCatalog } from '../src/wiring';
import type { Catalog } from '../src/wiring';
import { loadInventory } from '../src/tools/inventory-loader';
import { toolContext } from '../src/tools/inventory-sync';
import { importFromNetbox } from '../src/tools/netbox-importer';
import { api, startCatalog, unique } from './support/catalog-kit';
import type { CatalogKit } from './support/catalog-kit';

function simDevice(
  name: string,
  platform: InventoryDevice['platform'],
  port: number,
): InventoryDevice {
  return {
    name,
    platform,
    vendor: 'Cisco',
    model: 'C9300',
    osVersion: '17.9',
    serial: `SN-${name}`,
    host: '127.0.0.1',
    port,
    site: 'Lab One',
    credentials: { username: 'admin', password: 'admin', enableSecret: 'en' },
    managementIp: '10.255.0.1',
    interfaces: [
      {
        name: 'GigabitEthernet0/1',
        description: 'uplink',
        enabled: true,
        mode: 'access',
        vlan: 10,
        mac: '00:11:22:33:44:55',
      },
      {
        name: 'Management0',
        description: '',
        enabled: true,
        mode: 'management',
        ipv4: '10.255.0.1/24',
        mac: '00:11:22:33:44:56',
      },
    ],
    vlans: [{ id: 10, name: 'USERS' }],
    ipAddresses: ['10.255.0.1/24'],
    faults: {},
  };
}

describe('inventory loader and NetBox importer', () => {
  let kit: CatalogKit;
  let catalog: Catalog;

  beforeAll(async () => {
    kit = await startCatalog();
    catalog = wireCatalog({
      connection: kit.infra.mongo.connection,
      messaging: kit.infra.messaging,
      logger: kit.infra.logger,
      credentialKeys: kit.keys.credential,
      executionKeys: kit.keys.execution,
      eventsTopic: kit.eventsTopic,
    });
  });

  afterAll(async () => {
    await kit.close();
  });

  it('when the simulator inventory is loaded twice, then everything is created once and the second run changes nothing', async () => {
    const names = [unique('sim-ios'), unique('sim-eos')];
    const inventory: Inventory = {
      generatedAt: new Date().toISOString(),
      seed: 1,
      devices: [
        simDevice(names[0] as string, 'ios', 40001),
        simDevice(names[1] as string, 'eos', 40002),
      ],
    };

    const first = await loadInventory(catalog, inventory, toolContext());
    const second = await loadInventory(catalog, inventory, toolContext());
    const device = await api(kit.app).get(`/api/dcim/devices/?name=${names[0]}`);
    const interfaces = await api(kit.app).get(`/api/dcim/interfaces/?device=${names[0]}`);

    expect(first).toEqual({
      platform: { created: 2, updated: 0, unchanged: 0 },
      site: { created: 1, updated: 0, unchanged: 0 },
      vlan: { created: 1, updated: 0, unchanged: 1 },
      device: { created: 2, updated: 2, unchanged: 0 },
      interface: { created: 4, updated: 0, unchanged: 0 },
      'ip-address': { created: 2, updated: 0, unchanged: 0 },
    });
    expect(second).toEqual({
      platform: { created: 0, updated: 0, unchanged: 2 },
      site: { created: 0, updated: 0, unchanged: 1 },
      vlan: { created: 0, updated: 0, unchanged: 2 },
      device: { created: 0, updated: 0, unchanged: 4 },
      interface: { created: 0, updated: 0, unchanged: 4 },
      'ip-address': { created: 0, updated: 0, unchanged: 2 },
    });
    expect(device.body.results[0]).toMatchObject({
      host: '127.0.0.1',
      port: 40001,
      platform: { slug: 'ios' },
      site: { slug: 'lab-one' },
      primary_ip4: { address: '10.255.0.1/24' },
    });
    expect(
      interfaces.body.results.map((i: { name: string; untagged_vlan: { vid: number } | null }) => [
        i.name,
        i.untagged_vlan?.vid ?? null,
      ]),
    ).toEqual([
      ['GigabitEthernet0/1', 10],
      ['Management0', null],
    ]);
  });

  describe('from a NetBox instance', () => {
    let server: Server;
    let url: string;
    const requests: string[] = [];
    const suffix = unique('nb');
    const data: Record<string, Record<string, unknown>[]> = {
      '/api/dcim/platforms/': [
        { id: 501, name: `NB IOS ${suffix}`, slug: `nb-ios-${suffix}`, description: '', tags: [] },
        {
          id: 502,
          name: `NB Junos ${suffix}`,
          slug: `junos-${suffix}`,
          description: 'jnpr',
          tags: [],
        },
        { id: 503, name: `NB EOS ${suffix}`, slug: `eos-${suffix}`, description: '', tags: [] },
      ],
      '/api/dcim/sites/': [
        {
          id: 601,
          name: `NB Site ${suffix}`,
          slug: `nb-site-${suffix}`,
          status: { value: 'active', label: 'Active' },
          tags: [{ id: 1, name: 'Prod', slug: 'prod' }],
        },
      ],
      '/api/ipam/vlans/': [
        { id: 701, vid: 30, name: 'SERVERS', site: { id: 601 }, status: { value: 'active' } },
      ],
      '/api/dcim/devices/': [
        {
          id: 801,
          name: `nb-r1-${suffix}`,
          platform: { id: 501 },
          site: { id: 601 },
          status: { value: 'active' },
          serial: 'X1',
          primary_ip4: { id: 901 },
          primary_ip6: null,
        },
        {
          id: 802,
          name: `nb-r2-${suffix}`,
          platform: { id: 502 },
          site: { id: 601 },
          status: { value: 'planned' },
          serial: '',
          primary_ip4: null,
          primary_ip6: null,
        },
        { id: 803, name: null, platform: null, site: { id: 601 }, status: { value: 'active' } },
      ],
      '/api/dcim/interfaces/': [
        {
          id: 1001,
          device: { id: 801 },
          name: 'Gi0/0',
          type: { value: '1000base-t' },
          enabled: true,
          mode: { value: 'access' },
          untagged_vlan: { id: 701 },
          tagged_vlans: [],
        },
        {
          id: 1002,
          device: { id: 801 },
          name: 'Loopback0',
          type: { value: 'virtual' },
          enabled: true,
          mode: null,
          untagged_vlan: null,
          tagged_vlans: [],
        },
        {
          id: 1003,
          device: { id: 802 },
          name: 'ge-0/0/0',
          type: { value: '10gbase-x-xfp' },
          enabled: false,
          mode: null,
          tagged_vlans: [],
        },
      ],
      '/api/ipam/ip-addresses/': [
        {
          id: 901,
          address: '192.0.2.1/32',
          status: { value: 'active' },
          assigned_object_type: 'dcim.interface',
          assigned_object_id: 1002,
          dns_name: 'r1.example.net',
        },
        {
          id: 902,
          address: '198.51.100.1/24',
          status: { value: 'active' },
          assigned_object_type: null,
          assigned_object_id: null,
        },
      ],
    };

    beforeAll(async () => {
      const fake = express();
      fake.get(/.*/, (req, res) => {
        requests.push(req.originalUrl);
        if (req.header('authorization') !== 'Token nb-token') {
          res.status(403).json({ detail: 'Invalid token' });
          return;
        }
        const items = data[req.path] ?? [];
        const limit = Number(req.query['limit'] ?? 50);
        const offset = Number(req.query['offset'] ?? 0);
        const next =
          offset + limit < items.length
            ? `${url}${req.path}?limit=${limit}&offset=${offset + limit}`
            : null;
        res.json({
          count: items.length,
          next,
          previous: null,
          results: items.slice(offset, offset + limit),
        });
      });
      server = await new Promise<Server>((resolve) => {
        const s = fake.listen(0, '127.0.0.1', () => resolve(s));
      });
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('when imported twice, then objects are created once with netbox ids, pages are followed, and the re-run changes nothing', async () => {
      const source = { url, token: 'nb-token', pageSize: 2 };

      const first = await importFromNetbox(catalog, source, toolContext());
      const second = await importFromNetbox(catalog, source, toolContext());
      const r1 = (await api(kit.app).get(`/api/dcim/devices/?netbox_id=801`)).body.results[0];
      const junos = (await api(kit.app).get(`/api/dcim/platforms/?netbox_id=502`)).body.results[0];
      const xfp = (await api(kit.app).get(`/api/dcim/interfaces/?netbox_id=1003`)).body.results[0];

      expect(first['device']).toEqual({ created: 2, updated: 1, unchanged: 1 });
      expect(first['ip-address']).toEqual({ created: 1, updated: 0, unchanged: 0 });
      expect(Object.values(second).every((c) => c.created === 0 && c.updated === 0)).toBe(true);
      expect(requests).toContain('/api/dcim/platforms/?limit=2&offset=2');
      expect(r1).toMatchObject({
        name: `nb-r1-${suffix}`,
        netbox_id: 801,
        serial: 'X1',
        platform: { slug: `nb-ios-${suffix}` },
        primary_ip4: { address: '192.0.2.1/32' },
      });
      expect(junos).toMatchObject({ driver: null, description: 'jnpr' });
      expect(xfp).toMatchObject({ type: { value: 'other', label: 'Other' }, enabled: false });
    });
  });
});

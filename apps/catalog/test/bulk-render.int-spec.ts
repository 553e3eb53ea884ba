import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { BULK_RENDER_PATH, RENDER_PATH } from '@toolkit/api-contracts';
import type { BulkRenderRequest } from '@toolkit/api-contracts';
import { INTERNAL_HEADERS } from '@toolkit/contracts';
import { openJson } from '@toolkit/crypto';
import { AppError } from '@toolkit/errors';
import { ALICE, api, startCatalog, unique } from './support/catalog-kit';
import type { CatalogKit } from './support/catalog-kit';

type Item = BulkRenderRequest['items'][number];
type Permissions = BulkRenderRequest['permissions'];

const EVERYTHING: Permissions = {
  execute_show: null,
  execute_config: null,
  view_command: null,
  view_device: null,
};
const DEVICES = 100;
const COMMANDS = 25;

describe('bulk render: many items for one requester, answered item by item', () => {
  let kit: CatalogKit;
  let devices: { id: number; name: string }[];
  let showInterface: { id: number; name: string };
  let configCommand: { id: number };
  let shows: { id: number }[];
  let token: string;

  beforeAll(async () => {
    kit = await startCatalog();
    const platform = (
      await api(kit.app).post('/api/dcim/platforms/', {
        name: unique('IOS'),
        slug: unique('ios'),
        driver: 'cisco_ios',
      })
    ).body as { id: number };
    const site = (
      await api(kit.app).post('/api/dcim/sites/', { name: unique('dc'), slug: unique('dc') })
    ).body as { id: number };
    const created = await api(kit.app).post(
      '/api/dcim/devices/',
      Array.from({ length: DEVICES }, (_, i) => ({
        name: unique(`r${i}`),
        platform: platform.id,
        site: site.id,
        host: `r${i}.example.net`,
        interfaces: [{ name: 'GigabitEthernet0/1', type: '1000base-t' }],
      })),
    );
    expect(created.status).toBe(201);
    devices = created.body;
    const commands = await api(kit.app).post('/api/plugins/toolkit/commands/', [
      {
        name: unique('show int'),
        command: 'show interfaces <iface>',
        platforms: [platform.id],
        variables: [{ name: 'iface', variable_type: 'netbox_interface' }],
      },
      {
        name: unique('hostname'),
        command: 'hostname lab',
        platforms: [platform.id],
        command_type: 'config',
      },
      ...Array.from({ length: COMMANDS - 1 }, (_, i) => ({
        name: unique(`show ${i}`),
        command: `show interfaces <iface> counters ${i}`,
        platforms: [platform.id],
        variables: [{ name: 'iface', variable_type: 'netbox_interface' }],
      })),
    ]);
    expect(commands.status).toBe(201);
    [showInterface, configCommand] = commands.body;
    shows = [commands.body[0], ...commands.body.slice(2)];
    const set = await api(kit.app).post('/api/plugins/toolkit/credential-sets/', {
      name: unique('lab'),
      username: 'netops',
      password: 'Sup3rS3cret!',
    });
    expect(set.status).toBe(201);
    token = set.body.token;
  }, 120_000);

  afterEach(() => {
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await kit.close();
  });

  const requester = { id: ALICE.id, username: ALICE.username };

  function item(overrides: Partial<Item> = {}): Item {
    return {
      execution_id: randomUUID(),
      command_id: showInterface.id,
      device_id: (devices[0] as { id: number }).id,
      variables: { iface: 'GigabitEthernet0/1' },
      credentials: { username: 'admin', password: 'pw' },
      ...overrides,
    };
  }

  function bulk(items: Item[], permissions: Permissions = EVERYTHING) {
    return api(kit.app).post(BULK_RENDER_PATH, { requester, permissions, items });
  }

  it('when items are rendered or refused, then each answer is in its item place, as /internal/render answers that item', async () => {
    const permissions: Permissions = { ...EVERYTHING, execute_config: false };
    const items = [
      item(),
      item({ command_id: 99_999_999 }),
      item({ device_id: 99_999_999 }),
      item({ variables: { iface: 'GigabitEthernet0/2' } }),
      item({ command_id: configCommand.id, variables: {} }),
      item({ credentials: { credential_token: token } }),
      item({ credentials: { credential_token: 'ct_AAAAAAAAAAAAAAAA.bogus' } }),
      item({ device_id: 99_999_999, variables: { iface: 'x' } }),
    ];

    const res = await bulk(items, permissions);
    const singles = await Promise.all(
      items.map((i) => api(kit.app).post(RENDER_PATH, { ...i, requester, permissions })),
    );

    expect(res.status).toBe(200);
    const results = res.body.results as Record<string, { status?: number; body?: unknown }>[];
    expect(results).toHaveLength(items.length);
    expect(results.map((r) => r['error']?.status ?? 'rendered')).toEqual([
      'rendered',
      404,
      400,
      400,
      403,
      'rendered',
      400,
      400,
    ]);
    const device = { id: devices[0]?.id, name: devices[0]?.name };
    const command = { id: showInterface.id, name: showInterface.name };
    expect(results[1]).toEqual({ error: { status: 404, body: { detail: 'Not found.' } }, device });
    expect(results[2]).toEqual({
      error: { status: 400, body: { device_id: ['Device with ID 99999999 not found.'] } },
      command,
    });
    expect(results[3]).toEqual({
      error: {
        status: 400,
        body: {
          variables: { iface: [expect.stringContaining("Interface 'GigabitEthernet0/2'")] },
          validation_details: {
            iface: expect.objectContaining({ provided_value: 'GigabitEthernet0/2' }),
          },
        },
      },
      command,
      device,
    });
    expect(results[4]).toEqual({
      error: {
        status: 403,
        body: { detail: 'You do not have permission to execute configuration commands.' },
      },
      device,
    });
    // A refused item names what its requester may see: not a missing, hidden or
    // non-executable command, nor a missing device.
    const names = (r: Record<string, { name?: string } | undefined>) => [
      r['command']?.name ?? null,
      r['device']?.name ?? null,
    ];
    expect(results.map((r, i) => ('error' in r ? names(r as never) : i))).toEqual([
      0,
      [null, device.name],
      [command.name, null],
      [command.name, device.name],
      [null, device.name],
      5,
      [command.name, device.name],
      [command.name, null],
    ]);
    // Exactly what the single render answers, item by item; the sealed login opens with
    // the item's own execution id.
    items.forEach((given, i) => {
      const single = singles[i] as request.Response;
      const answer = results[i] as Record<string, unknown>;
      if ('error' in answer) {
        expect(answer['error']).toEqual({ status: single.status, body: single.body });
        return;
      }
      const rendered = answer['rendered'] as { credentials: never };
      expect(single.status).toBe(200);
      expect({ ...rendered, credentials: null }).toEqual({ ...single.body, credentials: null });
      expect(openJson(kit.keys.execution, rendered.credentials, given.execution_id)).toEqual(
        openJson(kit.keys.execution, single.body.credentials, given.execution_id),
      );
    });
    expect(results[5]).toMatchObject({
      rendered: { username: 'netops', credential_set: { name: expect.any(String) } },
    });
  });

  it('when 1,000 items name 100 devices and 25 commands, then the devices are read at once, every other read once per object, and every item is rendered', async () => {
    const { services } = kit.catalog;
    // Every read of a repository goes through `find` (`findById` included).
    const reads = {
      command: jest.spyOn(services.commands.repository, 'find'),
      device: jest.spyOn(services.devices.repository, 'find'),
      platform: jest.spyOn(services.platforms.repository, 'find'),
      interfaces: jest.spyOn(services.interfaces.repository, 'find'),
      vlans: jest.spyOn(services.vlans.repository, 'find'),
      addresses: jest.spyOn(services.ipAddresses.repository, 'find'),
      token: jest.spyOn(services.credentialSets.repository, 'find'),
    };
    const items = Array.from({ length: 1_000 }, (_, i) =>
      item({
        command_id: (shows[i % COMMANDS] as { id: number }).id,
        device_id: (devices[Math.floor(i / 10)] as { id: number }).id,
        credentials: { credential_token: token },
      }),
    );

    const res = await bulk(items);

    expect(res.status).toBe(200);
    const results = res.body.results as {
      rendered: { device: { id: number }; credentials: never };
    }[];
    expect(results.map((r) => Object.keys(r))).toEqual(items.map(() => ['rendered']));
    results.forEach((r, i) => {
      const given = items[i] as Item;
      expect(r.rendered.device.id).toBe(given.device_id);
      expect(openJson(kit.keys.execution, r.rendered.credentials, given.execution_id)).toEqual({
        username: 'netops',
        password: 'Sup3rS3cret!',
      });
    });
    expect(
      Object.fromEntries(Object.entries(reads).map(([k, spy]) => [k, spy.mock.calls.length])),
    ).toEqual({
      command: COMMANDS, // execute_show: null, so no constrained read besides
      device: 1,
      platform: 1,
      interfaces: DEVICES,
      vlans: DEVICES,
      addresses: DEVICES,
      token: 1,
    });
  }, 60_000);

  it('when an item misses the same device as another, then both get the same error and the device is read once', async () => {
    const deviceReads = jest.spyOn(kit.catalog.services.devices.repository, 'find');
    const res = await bulk([
      item({ device_id: 88_888_888 }),
      item(),
      item({ device_id: 88_888_888, command_id: configCommand.id, variables: {} }),
    ]);

    const missing = (command: { id: number }) => ({
      error: { status: 400, body: { device_id: ['Device with ID 88888888 not found.'] } },
      command: { id: command.id, name: expect.any(String) },
    });
    expect(res.body.results).toEqual([
      missing(showInterface),
      { rendered: expect.any(Object) },
      missing(configCommand),
    ]);
    expect(deviceReads.mock.calls.length).toBe(2);
  });

  it('when storage fails while items are rendered, then the whole call fails instead of an item', async () => {
    jest.spyOn(kit.catalog.services.devices.repository, 'find').mockRejectedValueOnce(
      new AppError({
        code: 'mongo-down',
        category: 'unavailable',
        message: 'Storage is unavailable.',
      }),
    );
    const unavailable = await bulk([item(), item({ device_id: 88_888_888 })]);
    jest
      .spyOn(kit.catalog.services.platforms.repository, 'findById')
      .mockRejectedValueOnce(new Error('connection reset'));
    const broken = await bulk([item({ device_id: 77_777_777 }), item()]);

    expect([unavailable.status, unavailable.body]).toEqual([
      503,
      { detail: 'Storage is unavailable.' },
    ]);
    expect(broken.status).toBe(500);
    expect(broken.body.results).toBeUndefined();
  });

  it('when more than 1,000 items or none are sent, then 400 names items', async () => {
    const tooMany = await bulk(Array.from({ length: 1_001 }, () => item()));
    const none = await bulk([]);

    expect(tooMany.status).toBe(400);
    expect(Object.keys(tooMany.body)).toEqual(['items']);
    expect(none.status).toBe(400);
    expect(Object.keys(none.body)).toEqual(['items']);
  });

  it('when the internal token is missing or wrong, then 401 and nothing is rendered', async () => {
    const renders = jest.spyOn(kit.catalog.render, 'renderMany');
    const body = { requester, permissions: EVERYTHING, items: [item()] };

    const missing = await request(kit.app).post(BULK_RENDER_PATH).send(body);
    const wrong = await request(kit.app)
      .post(BULK_RENDER_PATH)
      .set(INTERNAL_HEADERS.token, 'not-the-internal-token-000')
      .send(body);

    expect([missing.status, wrong.status]).toEqual([401, 401]);
    expect(renders).not.toHaveBeenCalled();
  });
});

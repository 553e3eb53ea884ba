import type { RequestContext } from '@toolkit/catalog-domain';
import { KafkaMessaging } from '@toolkit/messaging';
import { collectMessages } from '@toolkit/testing';
import { ALICE, BOB, api, BASE, startCatalog, unique } from './support/catalog-kit';
import type { CatalogKit } from './support/catalog-kit';
import { changeLogRetention } from '../src/change-log-retention';
import { wireCatalog } from '../src/wiring';

describe('catalog events and the change log', () => {
  let kit: CatalogKit;

  beforeAll(async () => {
    kit = await startCatalog();
  });

  afterAll(async () => {
    await kit.close();
  });

  it('when a site is created, updated and deleted, then three events follow the writes in order', async () => {
    const slug = unique('ev');
    const created = await api(kit.app).post('/api/dcim/sites/', { name: slug, slug });
    await api(kit.app).patch(`/api/dcim/sites/${created.body.id}/`, { description: 'changed' });
    await api(kit.app).delete(`/api/dcim/sites/${created.body.id}/`);

    const messages = await collectMessages(kit.eventsTopic.topic, {
      count: 3,
      predicate: (m) => m.key === `site:${created.body.id}`,
    });

    const payloads = messages.map((m) => JSON.parse(m.value ?? '{}').payload);
    expect(payloads.map((p) => [p.entity, p.action, p.id, p.actor])).toEqual([
      ['site', 'created', created.body.id, ALICE.username],
      ['site', 'updated', created.body.id, ALICE.username],
      ['site', 'deleted', created.body.id, ALICE.username],
    ]);
    expect(payloads[1].data.description).toBe('changed');
  });

  it('when objects change, then the change log records who, what, before and after, filterable', async () => {
    const slug = unique('cl');
    const created = await api(kit.app).post('/api/dcim/platforms/', { name: slug, slug });
    await api(kit.app).patch(`/api/dcim/platforms/${created.body.id}/`, { description: 'v2' });

    const res = await api(kit.app).get(
      `/api/core/object-changes/?changed_object_type=dcim.platform&changed_object_id=${created.body.id}&ordering=time`,
    );

    expect(res.status).toBe(200);
    expect(res.body.count).toBe(2);
    expect(res.body.results[1]).toEqual({
      id: expect.any(Number),
      url: `${BASE}/api/core/object-changes/${res.body.results[1].id}/`,
      display: `${slug} updated`,
      time: expect.any(String),
      user: { id: ALICE.id, username: ALICE.username },
      user_name: ALICE.username,
      request_id: expect.any(String),
      action: { value: 'update', label: 'Updated' },
      changed_object_type: 'dcim.platform',
      changed_object_id: created.body.id,
      object_repr: slug,
      prechange_data: expect.objectContaining({ description: '' }),
      postchange_data: expect.objectContaining({ description: 'v2' }),
    });
    const byAction = await api(kit.app).get(
      `/api/core/object-changes/?action=create&changed_object_type=dcim.platform&changed_object_id=${created.body.id}&user_name=alice`,
    );
    expect(byAction.body.results.map((r: { action: { value: string } }) => r.action.value)).toEqual(
      ['create'],
    );
  });

  it("when a user lists the change log, then another user's private credential sets are not in it", async () => {
    const name = unique('private');
    const created = await api(kit.app).post('/api/plugins/toolkit/credential-sets/', {
      name,
      username: 'netops',
      password: 'Sup3rS3cret!',
    });
    expect(created.status).toBe(201);
    await api(kit.app).patch(`/api/plugins/toolkit/credential-sets/${created.body.id}/`, {
      description: 'lab',
    });
    const query = `/api/core/object-changes/?changed_object_type=toolkit.credentialset&changed_object_id=${created.body.id}`;

    const asAlice = await api(kit.app).get(query);
    const asBob = await api(kit.app, { principal: BOB }).get(query);
    const searchedByBob = await api(kit.app, { principal: BOB }).get(
      `/api/core/object-changes/?q=${name}`,
    );
    const detailForBob = await api(kit.app, { principal: BOB }).get(
      `/api/core/object-changes/${asAlice.body.results[0].id}/`,
    );

    expect(asAlice.body.count).toBe(2);
    expect(asAlice.body.results[0].postchange_data).toMatchObject({ name, username: 'netops' });
    expect(JSON.stringify(asAlice.body)).not.toContain('Sup3rS3cret!');
    expect([asBob.body.count, searchedByBob.body.count]).toEqual([0, 0]);
    expect(detailForBob.status).toBe(404);
  });

  it('when the gateway records changes of its objects, then they join the change log under the caller and other types are refused', async () => {
    const change = (type: string, id: number) => ({
      action: 'create',
      changed_object_type: type,
      changed_object_id: id,
      object_repr: `${type} ${id}`,
      prechange_data: null,
      postchange_data: { id },
    });
    const id = Math.floor(Math.random() * 1_000_000) + 1;

    const recorded = await api(kit.app)
      .post('/internal/object-changes/')
      .send({ changes: [change('users.group', id), change('users.token', id)] });
    const forged = await api(kit.app)
      .post('/internal/object-changes/')
      .send({ changes: [change('dcim.device', id)] });
    const asAlice = await api(kit.app).get(`/api/core/object-changes/?changed_object_id=${id}`);
    const asBob = await api(kit.app, { principal: BOB }).get(
      `/api/core/object-changes/?changed_object_id=${id}`,
    );

    expect([recorded.status, recorded.body]).toEqual([201, { recorded: 2 }]);
    expect(forged.status).toBe(400);
    expect(
      asAlice.body.results.map((r: { changed_object_type: string; user_name: string }) => [
        r.changed_object_type,
        r.user_name,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['users.group', ALICE.username],
        ['users.token', ALICE.username],
      ]),
    );
    expect(
      asBob.body.results.map((r: { changed_object_type: string }) => r.changed_object_type),
    ).toEqual(expect.arrayContaining(['users.group', 'users.token']));
  });

  it('when the caller has constraints on the change log, then only matching records are listed', async () => {
    const slug = unique('cc');
    await api(kit.app).post('/api/dcim/sites/', { name: slug, slug });
    await api(kit.app).post('/api/dcim/platforms/', { name: slug, slug });

    const constrained = await api(kit.app, {
      principal: ALICE,
      constraints: [{ changed_object_type: 'dcim.site' }],
    }).get(`/api/core/object-changes/?object_repr=${slug}`);
    const meaningless = await api(kit.app, {
      principal: ALICE,
      constraints: [{ no_such_field: 1 }],
    }).get('/api/core/object-changes/');

    expect(
      constrained.body.results.map((r: { changed_object_type: string }) => r.changed_object_type),
    ).toEqual(['dcim.site']);
    expect(meaningless.status).toBe(403);
  });

  it('when retention runs, then records older than the cutoff are deleted oldest first, within the run bound, and newer ones stay', async () => {
    let now = new Date('2020-01-01T00:00:00Z');
    const catalog = wireCatalog({
      connection: kit.infra.mongo.connection,
      messaging: kit.infra.messaging,
      logger: kit.infra.logger,
      credentialKeys: kit.keys.credential,
      executionKeys: kit.keys.execution,
      eventsTopic: kit.eventsTopic,
      clock: { now: () => now },
    });
    const app = kit.makeApp({ catalog });
    const slug = unique('old');
    const site = await api(app).post('/api/dcim/sites/', { name: slug, slug });
    for (const description of ['a', 'b', 'c'])
      await api(app).patch(`/api/dcim/sites/${site.body.id}/`, { description });
    now = new Date('2020-03-01T00:00:00Z');
    await api(app).patch(`/api/dcim/sites/${site.body.id}/`, { description: 'recent' });
    const logged = `/api/core/object-changes/?changed_object_type=dcim.site&changed_object_id=${site.body.id}&ordering=id`;
    const retention = changeLogRetention(
      { changes: catalog.objectChanges, logger: kit.infra.logger, now: () => now },
      { days: 30, intervalMs: 60_000, maxPerRun: 3, chunk: 2 },
    );

    const firstRun = await retention.runOnce();
    const afterFirst = await api(app).get(logged);
    const secondRun = await retention.runOnce();
    const afterSecond = await api(app).get(logged);

    expect([firstRun, secondRun]).toEqual([3, 1]);
    expect(
      afterFirst.body.results.map(
        (r: { postchange_data: { description: string } }) => r.postchange_data.description,
      ),
    ).toEqual(['c', 'recent']);
    expect(afterSecond.body.count).toBe(1);
    expect(afterSecond.body.results[0].postchange_data.description).toBe('recent');
  });

  it('when more change-log lists arrive than may scan or wait, then the rest get 503 with Retry-After and the others their page', async () => {
    const app = kit.makeApp({ changeLogScans: { running: 1, queued: 0 } });

    const answers = await Promise.all(
      Array.from({ length: 12 }, () => api(app).get('/api/core/object-changes/?limit=5')),
    );

    const refused = answers.filter((r) => r.status === 503);
    expect(answers.every((r) => r.status === 200 || r.status === 503)).toBe(true);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.headers['retry-after']).toBe('1');
    expect(refused[0]?.body).toEqual({
      detail: 'Too many change-log lists at once; retry shortly.',
    });
    expect(answers.some((r) => r.status === 200 && Array.isArray(r.body.results))).toBe(true);
  });

  it('when Kafka cannot take events, then writes succeed, their events wait in the outbox and go out in order once it is back', async () => {
    await kit.catalog.relay.stop(); // the kit's relay would publish the backlog through the live broker
    const unreachable = new KafkaMessaging({
      service: 'catalog-down',
      brokers: ['127.0.0.1:1'],
      logger: kit.infra.logger,
    });
    let kafkaUp = false;
    const catalog = wireCatalog({
      connection: kit.infra.mongo.connection,
      messaging: {
        publishMany: (...args) =>
          (kafkaUp ? kit.infra.messaging : unreachable).publishMany(...args),
      },
      logger: kit.infra.logger,
      credentialKeys: kit.keys.credential,
      executionKeys: kit.keys.execution,
      eventsTopic: kit.eventsTopic,
      outboxLease: { held: async () => true }, // no epoch margin in the way of the assertions
    });
    const app = kit.makeApp({ catalog });
    const slug = unique('outage');

    const created = await api(app).post('/api/dcim/sites/', { name: slug, slug });
    const changed = await api(app).patch(`/api/dcim/sites/${created.body.id}/`, {
      description: 'during the outage',
    });
    const whileDown = await catalog.relay.drain().catch((error: unknown) => error);
    kafkaUp = true;
    await catalog.relay.drain();
    const messages = await collectMessages(kit.eventsTopic.topic, {
      count: 2,
      predicate: (m) => m.key === `site:${created.body.id}`,
    });

    expect([created.status, changed.status]).toEqual([201, 200]);
    expect(whileDown).toBeInstanceOf(Error);
    expect(
      messages.map((m) => JSON.parse(m.value ?? '{}').payload).map((p) => [p.action, p.actor]),
    ).toEqual([
      ['created', ALICE.username],
      ['updated', ALICE.username],
    ]);
    expect(await catalog.relay.drain()).toBe(0);
    kit.catalog.relay.start();
  });

  it('when a write fails midway, then everything it wrote is undone, cascades included, with its change records and events', async () => {
    const name = unique('undo');
    const created = await api(kit.app).post('/api/dcim/devices/', {
      name,
      interfaces: [{ name: 'eth0', ip_addresses: [{ address: '192.0.2.9/32' }] }],
    });
    const deviceId: number = created.body.id;
    const counts = async () => ({
      interfaces: (await api(kit.app).get(`/api/dcim/interfaces/?device_id=${deviceId}`)).body
        .count,
      addresses: (await api(kit.app).get(`/api/ipam/ip-addresses/?device_id=${deviceId}`)).body
        .count,
      device: (await api(kit.app).get(`/api/dcim/devices/${deviceId}/`)).status,
      deletes: (
        await api(kit.app).get(
          `/api/core/object-changes/?action=delete&changed_object_type=dcim.device&changed_object_id=${deviceId}`,
        )
      ).body.count,
    });
    const before = await counts();

    const failed = await kit.catalog.transactions
      .run(async () => {
        await kit.catalog.services.devices.delete([deviceId], context());
        throw new Error('the store went away after the cascade');
      })
      .catch((error: unknown) => error);

    expect(failed).toEqual(new Error('the store went away after the cascade'));
    expect(before).toEqual({ interfaces: 1, addresses: 1, device: 200, deletes: 0 });
    expect(await counts()).toEqual(before);
    expect(
      await kit.infra.mongo.connection
        .collection('outbox')
        .countDocuments({ 'event.id': deviceId, 'event.action': 'deleted' }),
    ).toBe(0);
  });

  it('when a write is still open, then its events wait in the outbox until it commits', async () => {
    const slug = unique('open');
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let siteId = 0;
    const write = kit.catalog.transactions.run(async () => {
      const [built] = await kit.catalog.services.sites.createMany(
        [{ name: slug, slug }],
        context(),
        { bulk: false },
      );
      siteId = built?.doc._id ?? 0;
      await gate;
    });
    const waiting = () =>
      kit.infra.mongo.connection.collection('outbox').countDocuments({ 'event.id': siteId });
    while (siteId === 0) await new Promise((r) => setTimeout(r, 10));

    await kit.catalog.relay.drain();
    const whileOpen = await waiting();
    release();
    await write;
    // Published by the kit's polling relay (a drain now could fall in the lease's margin).
    const deadline = Date.now() + 15_000;
    while ((await waiting()) > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));

    expect(whileOpen).toBe(1);
    expect(await waiting()).toBe(0);
  });
  it('when recovery rolls back a write taken for dead, then a later committed write to the same object is kept and the slow write fails', async () => {
    const slug = unique('keep');
    const site = await api(kit.app).post('/api/dcim/sites/', { name: slug, slug });
    const id: number = site.body.id;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = kit.catalog.transactions.run(async () => {
      await kit.catalog.services.sites.update([{ id, body: { description: 'slow' } }], context(), {
        partial: true,
        bulk: false,
      });
      await gate;
    });
    const description = async () =>
      (await api(kit.app).get(`/api/dcim/sites/${id}/`)).body.description as string;
    while ((await description()) !== 'slow') await new Promise((r) => setTimeout(r, 10));

    const later = await api(kit.app).patch(`/api/dcim/sites/${id}/`, { description: 'later' });
    const rolledBack = await kit.catalog.transactions.recover({
      now: new Date(Date.now() + 60_000),
      abandonAfterMs: 0,
      keepFinishedMs: 3_600_000,
    });
    release();
    const slowError = await slow.catch((error: unknown) => error);
    const updates = await api(kit.app).get(
      `/api/core/object-changes/?changed_object_type=dcim.site&changed_object_id=${id}&action=update`,
    );

    expect(later.status).toBe(200);
    expect(rolledBack).toBe(1);
    expect(await description()).toBe('later');
    expect(slowError).toMatchObject({ code: 'write-interrupted' });
    expect(
      updates.body.results.map(
        (r: { postchange_data: { description: string } }) => r.postchange_data.description,
      ),
    ).toEqual(['later']);
  });
});

function context(): RequestContext {
  return {
    principal: ALICE,
    constraints: undefined,
    requestId: 'test',
    baseUrl: BASE,
    requestUrl: `${BASE}/api/`,
  };
}

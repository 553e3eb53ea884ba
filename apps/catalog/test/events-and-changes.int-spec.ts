import { collectMessages } from '@toolkit/testing';
import { ALICE, BOB, api, BASE, startCatalog, unique } from './support/catalog-kit';
import type { CatalogKit } from './support/catalog-kit';

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
});

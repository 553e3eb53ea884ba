import { collectMessages } from '@toolkit/testing';
import { ALICE, api, BASE, startCatalog, unique } from './support/catalog-kit';
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
});

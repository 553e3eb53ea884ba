import request from 'supertest';
import { uniqueSuffix } from '@toolkit/testing';
import { PERMISSION_ACTIONS, PERMISSION_OBJECT_TYPES } from '@toolkit/api-contracts';
import type { GatewayHarness } from './support/gateway-harness';
import { closedPortUrl, startGatewayHarness } from './support/gateway-harness';

describe('gateway users, groups, permissions and tokens API', () => {
  let h: GatewayHarness;
  let admin: { key: string; id: number };
  const auth = (key: string) => ({ Authorization: `Token ${key}` });

  beforeAll(async () => {
    const down = await closedPortUrl();
    h = await startGatewayHarness({ catalogUrl: down, analyticsUrl: down });
    admin = await h.user({ superuser: true });
  });

  afterAll(async () => {
    await h.close();
  });

  it('when a superuser creates a group, a user in it and a permission, then each reads back in NetBox shape', async () => {
    const tag = uniqueSuffix();
    const group = await request(h.app)
      .post('/api/users/groups/')
      .set(auth(admin.key))
      .send({ name: `ops-${tag}` });
    const user = await request(h.app)
      .post('/api/users/users/')
      .set(auth(admin.key))
      .send({ username: `alice-${tag}`, password: 'a-long-password', groups: [group.body.id] });
    const permission = await request(h.app)
      .post('/api/users/permissions/')
      .set(auth(admin.key))
      .send({
        name: `show-${tag}`,
        object_types: ['toolkit.command'],
        actions: ['view', 'execute_show'],
        constraints: { command_type: 'show' },
        groups: [group.body.id],
      });

    expect(group.status).toBe(201);
    expect(user.status).toBe(201);
    expect(user.body).toMatchObject({
      username: `alice-${tag}`,
      is_superuser: false,
      is_active: true,
      groups: [
        {
          id: group.body.id,
          name: `ops-${tag}`,
          display: `ops-${tag}`,
          url: expect.stringMatching(/\/api\/users\/groups\/\d+\/$/),
        },
      ],
    });
    expect(user.body.password).toBeUndefined();
    expect(permission.status).toBe(201);
    expect(permission.body).toMatchObject({
      enabled: true,
      object_types: ['toolkit.command'],
      actions: ['view', 'execute_show'],
      constraints: { command_type: 'show' },
      groups: [{ id: group.body.id }],
      users: [],
    });
  });

  it('when input is invalid, then 400 names the fields; unknown filters are refused by name', async () => {
    const bad = await request(h.app)
      .post('/api/users/permissions/')
      .set(auth(admin.key))
      .send({ name: '', object_types: ['dcim.toaster'], actions: [] });
    const badConstraint = await request(h.app)
      .post('/api/users/permissions/')
      .set(auth(admin.key))
      .send({
        name: `p-${uniqueSuffix()}`,
        object_types: ['users.group'],
        actions: ['view'],
        constraints: { colour: 'red' },
      });
    const badValue = await request(h.app)
      .post('/api/users/permissions/')
      .set(auth(admin.key))
      .send({
        name: `p-${uniqueSuffix()}`,
        object_types: ['users.group'],
        actions: ['view'],
        constraints: [{ name: { $ne: 'x' } }, { id__gt: [] }],
      });
    const unknownFilter = await request(h.app)
      .get('/api/users/users/?usernam=alice')
      .set(auth(admin.key));

    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      name: ['This field may not be blank.'],
      'object_types.0': ['"dcim.toaster" is not a valid choice.'],
      actions: [expect.any(String)],
    });
    expect(badConstraint.status).toBe(400);
    expect(badConstraint.body.constraints[0]).toMatch(/colour/);
    expect(badValue.status).toBe(400);
    expect(badValue.body).toEqual({
      constraints: [
        'Invalid constraint for users.group: name: Must be a string, number or boolean, or a list of them.; id__gt: This list may not be empty.',
      ],
    });
    expect(unknownFilter.status).toBe(400);
    expect(unknownFilter.body).toEqual({ usernam: ['Unknown filter parameter.'] });
  });

  it('when permissions are constrained, then lists are filtered (OR), hidden objects are 404 and writes 403', async () => {
    const tag = uniqueSuffix();
    const names = ['red', 'green', 'blue'].map((c) => `${c}-${tag}`);
    const ids: number[] = [];
    for (const name of names)
      ids.push(
        (await request(h.app).post('/api/users/groups/').set(auth(admin.key)).send({ name })).body
          .id,
      );
    const viewer = await h.user();
    await h.grant({
      userIds: [viewer.id],
      objectTypes: ['users.group'],
      actions: ['view'],
      constraints: [{ name: names[0] }, { name__isw: 'green-' }],
    });

    const list = await request(h.app).get(`/api/users/groups/?q=${tag}`).set(auth(viewer.key));
    const hidden = await request(h.app).get(`/api/users/groups/${ids[2]}/`).set(auth(viewer.key));
    const write = await request(h.app)
      .patch(`/api/users/groups/${ids[0]}/`)
      .set(auth(viewer.key))
      .send({ description: 'x' });

    expect(list.status).toBe(200);
    expect(list.body.results.map((g: { name: string }) => g.name).sort()).toEqual(
      [names[1], names[0]].sort(),
    );
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual({ detail: 'Not found.' });
    expect(write.status).toBe(403);
  });

  it('when a list is paged, then next and previous are absolute and keep the other parameters', async () => {
    const tag = uniqueSuffix();
    await request(h.app)
      .post('/api/users/groups/')
      .set(auth(admin.key))
      .send([0, 1, 2, 3, 4].map((i) => ({ name: `page-${tag}-${i}` })));

    const first = await request(h.app)
      .get(`/api/users/groups/?name__isw=page-${tag}&limit=2&ordering=-name`)
      .set(auth(admin.key))
      .set('Host', 'nb.example.com');
    const second = await request(h.app)
      .get(new URL(first.body.next).pathname + new URL(first.body.next).search)
      .set(auth(admin.key))
      .set('Host', 'nb.example.com');

    expect(first.body.count).toBe(5);
    expect(first.body.results.map((g: { name: string }) => g.name)).toEqual([
      `page-${tag}-4`,
      `page-${tag}-3`,
    ]);
    expect(first.body.next).toBe(
      `http://nb.example.com/api/users/groups/?name__isw=page-${tag}&limit=2&ordering=-name&offset=2`,
    );
    expect(first.body.previous).toBeNull();
    expect(second.body.previous).toBe(
      `http://nb.example.com/api/users/groups/?name__isw=page-${tag}&limit=2&ordering=-name`,
    );
  });

  it('when objects are bulk-updated and bulk-deleted, then all change, and a bad item changes nothing', async () => {
    const tag = uniqueSuffix();
    const created = await request(h.app)
      .post('/api/users/groups/')
      .set(auth(admin.key))
      .send([{ name: `bulk-${tag}-a` }, { name: `bulk-${tag}-b` }]);
    const ids = created.body.map((g: { id: number }) => g.id);

    const updated = await request(h.app)
      .patch('/api/users/groups/')
      .set(auth(admin.key))
      .send(ids.map((id: number) => ({ id, description: 'bulk' })));
    const duplicate = await request(h.app)
      .post('/api/users/groups/')
      .set(auth(admin.key))
      .send([{ name: `bulk-${tag}-c` }, { name: `bulk-${tag}-a` }]);
    const afterDuplicate = await request(h.app)
      .get(`/api/users/groups/?name=bulk-${tag}-c`)
      .set(auth(admin.key));
    const deleted = await request(h.app)
      .delete('/api/users/groups/')
      .set(auth(admin.key))
      .send(ids.map((id: number) => ({ id })));
    const left = await request(h.app)
      .get(`/api/users/groups/?name__isw=bulk-${tag}`)
      .set(auth(admin.key));

    expect(created.status).toBe(201);
    expect(updated.body.map((g: { description: string }) => g.description)).toEqual([
      'bulk',
      'bulk',
    ]);
    expect(duplicate.status).toBe(409);
    expect(afterDuplicate.body.count).toBe(0);
    expect(deleted.status).toBe(204);
    expect(left.body.count).toBe(0);
  });

  it('when a user manages tokens, then it sees only its own, creates one (key shown once) and cannot make itself superuser', async () => {
    const user = await h.user();
    const other = await h.user();

    const created = await request(h.app)
      .post('/api/users/tokens/')
      .set(auth(user.key))
      .send({ description: 'ci', allowed_ips: ['10.0.0.0/8'] });
    const mine = await request(h.app).get('/api/users/tokens/').set(auth(user.key));
    const theirs = await request(h.app)
      .get(`/api/users/tokens/${other.tokenId}/`)
      .set(auth(user.key));
    const forOther = await request(h.app)
      .post('/api/users/tokens/')
      .set(auth(user.key))
      .send({ user: other.id });
    const badIps = await request(h.app)
      .post('/api/users/tokens/')
      .set(auth(user.key))
      .send({ allowed_ips: ['10.0.0.0/33'] });
    const escalate = await request(h.app)
      .post('/api/users/users/')
      .set(auth(user.key))
      .send({ username: `x-${uniqueSuffix()}`, is_superuser: true });

    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^nbt_/);
    expect(created.body.allowed_ips).toEqual(['10.0.0.0/8']);
    expect(mine.body.count).toBe(2);
    expect(
      mine.body.results.every(
        (t: { key?: string; user: { id: number } }) => t.key === undefined && t.user.id === user.id,
      ),
    ).toBe(true);
    expect(theirs.status).toBe(404);
    expect(forOther.status).toBe(403);
    expect(badIps.status).toBe(400);
    expect(badIps.body).toEqual({
      allowed_ips: ['Enter a valid IPv4 or IPv6 address or CIDR range: 10.0.0.0/33.'],
    });
    expect(escalate.status).toBe(403);
  });

  it('when a permission is disabled, then it no longer grants anything', async () => {
    const user = await h.user();
    const id = await h.grant({
      userIds: [user.id],
      objectTypes: ['users.group'],
      actions: ['view'],
    });

    const before = await request(h.app).get('/api/users/groups/').set(auth(user.key));
    await request(h.app)
      .patch(`/api/users/permissions/${id}/`)
      .set(auth(admin.key))
      .send({ enabled: false })
      .expect(200);
    const after = await request(h.app).get('/api/users/groups/').set(auth(user.key));

    expect(before.status).toBe(200);
    expect(after.status).toBe(403);
  });
  it("when an update would move an object outside the caller's change constraints, then 403 and the object is unchanged", async () => {
    const tag = uniqueSuffix();
    const created = await request(h.app)
      .post('/api/users/groups/')
      .set(auth(admin.key))
      .send([
        { name: `team-${tag}-a`, description: 'a' },
        { name: `team-${tag}-b`, description: 'b' },
      ]);
    const [a, b] = created.body as { id: number; name: string }[];
    const editor = await h.user();
    await h.grant({
      userIds: [editor.id],
      objectTypes: ['users.group'],
      actions: ['view', 'change'],
      constraints: { name__isw: `team-${tag}-` },
    });
    const before = await request(h.app)
      .get(`/api/users/groups/?name__isw=team-${tag}-&ordering=name`)
      .set(auth(admin.key))
      .set('Host', 'nb.example.com');

    const single = await request(h.app)
      .patch(`/api/users/groups/${a?.id}/`)
      .set(auth(editor.key))
      .send({ name: `other-${tag}-a`, description: 'moved' });
    const bulk = await request(h.app)
      .patch('/api/users/groups/')
      .set(auth(editor.key))
      .send([
        { id: a?.id, description: 'still inside' },
        { id: b?.id, name: `other-${tag}-b` },
      ]);
    const after = await request(h.app)
      .get(`/api/users/groups/?name__isw=team-${tag}-&ordering=name`)
      .set(auth(admin.key))
      .set('Host', 'nb.example.com');
    const inside = await request(h.app)
      .patch(`/api/users/groups/${a?.id}/`)
      .set(auth(editor.key))
      .send({ name: `team-${tag}-c` });

    expect(single.status).toBe(403);
    expect(single.body).toEqual({ detail: 'You do not have permission to perform this action.' });
    expect(bulk.status).toBe(403);
    expect(bulk.body).toEqual({ detail: 'You do not have permission to perform this action.' });
    expect(after.body).toEqual(before.body);
    expect(inside.status).toBe(200);
    expect(inside.body).toEqual({
      id: a?.id,
      url: expect.stringMatching(new RegExp(`/api/users/groups/${a?.id}/$`)),
      display: `team-${tag}-c`,
      name: `team-${tag}-c`,
      description: 'a',
      user_count: 0,
    });
  });
  it('when OPTIONS is asked on a users list, then it answers DRF metadata with the fields and choices of a POST', async () => {
    const nobody = await h.user();

    const groups = await request(h.app).options('/api/users/groups/').set(auth(admin.key));
    const permissions = await request(h.app).options('/api/users/permissions').set(auth(admin.key));
    const denied = await request(h.app).options('/api/users/groups/').set(auth(nobody.key));
    const detail = await request(h.app).options('/api/users/groups/1/').set(auth(admin.key));

    const field = (type: string, required: boolean, label: string, extra = {}) => ({
      type,
      required,
      read_only: false,
      label,
      ...extra,
    });
    const choices = (values: readonly string[]) =>
      values.map((value) => ({ value, display_name: value }));
    const metadata = (name: string, post: Record<string, unknown>) => ({
      name,
      description: '',
      renders: ['application/json'],
      parses: ['application/json'],
      actions: { POST: post },
    });
    expect(groups.status).toBe(200);
    expect(groups.headers['allow']).toBe('GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS');
    expect(groups.body).toEqual(
      metadata('Group List', {
        name: field('string', true, 'Name', { max_length: 150 }),
        description: field('string', false, 'Description', { max_length: 200 }),
      }),
    );
    expect(detail.status).toBe(200);
    expect(detail.headers['allow']).toBe('GET, PUT, PATCH, DELETE, HEAD, OPTIONS');
    expect(detail.body).toEqual({
      ...metadata('Group', {}),
      actions: {
        PUT: {
          name: field('string', true, 'Name', { max_length: 150 }),
          description: field('string', false, 'Description', { max_length: 200 }),
        },
      },
    });
    expect(permissions.status).toBe(200);
    expect(permissions.body).toEqual(
      metadata('Object Permission List', {
        name: field('string', true, 'Name', { max_length: 100 }),
        description: field('string', false, 'Description', { max_length: 200 }),
        enabled: field('boolean', false, 'Enabled'),
        object_types: field('multiple choice', true, 'Object types', {
          choices: choices(PERMISSION_OBJECT_TYPES),
        }),
        actions: field('multiple choice', true, 'Actions', {
          choices: choices(PERMISSION_ACTIONS),
        }),
        constraints: field('json', false, 'Constraints'),
        groups: field('list', false, 'Groups'),
        users: field('list', false, 'Users'),
      }),
    );
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ detail: 'You do not have permission to perform this action.' });
  });

  it('when a permission or group is renamed onto a name that is taken, then 409, not a storage error', async () => {
    const tag = Date.now().toString(36);
    const post = (path: string, body: object) =>
      request(h.app).post(path).set(auth(admin.key)).send(body).expect(201);
    await post('/api/users/permissions/', {
      name: `taken-${tag}`,
      object_types: ['dcim.site'],
      actions: ['view'],
    });
    const other = await post('/api/users/permissions/', {
      name: `other-${tag}`,
      object_types: ['dcim.site'],
      actions: ['view'],
    });
    await post('/api/users/groups/', { name: `taken-${tag}` });
    const group = await post('/api/users/groups/', { name: `other-${tag}` });

    const renamed = await Promise.all([
      request(h.app)
        .patch(`/api/users/permissions/${other.body.id as number}/`)
        .set(auth(admin.key))
        .send({ name: `taken-${tag}` }),
      request(h.app)
        .patch(`/api/users/groups/${group.body.id as number}/`)
        .set(auth(admin.key))
        .send({ name: `taken-${tag}` }),
    ]);

    expect(renamed.map((r) => r.status)).toEqual([409, 409]);
  });
});

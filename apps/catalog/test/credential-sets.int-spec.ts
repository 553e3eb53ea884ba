import { randomBytes, randomUUID } from 'node:crypto';
import { createKeyring, openJson } from '@toolkit/crypto';
import { collectMessages } from '@toolkit/testing';
import { wireCatalog } from '../src/wiring';
import { ALICE, api, BASE, BOB, startCatalog, unique } from './support/catalog-kit';
import type { CatalogKit } from './support/catalog-kit';

describe('credential sets: encrypted at rest, private, tokens', () => {
  let kit: CatalogKit;
  let ios: { id: number; name: string };
  let eos: { id: number; name: string };
  let device: { id: number; name: string };
  let command: { id: number };

  beforeAll(async () => {
    kit = await startCatalog();
    const platforms = await api(kit.app).post('/api/dcim/platforms/', [
      { name: unique('IOS'), slug: unique('p'), driver: 'cisco_ios' },
      { name: unique('EOS'), slug: unique('p'), driver: 'arista_eos' },
    ]);
    [ios, eos] = platforms.body;
    device = (
      await api(kit.app).post('/api/dcim/devices/', {
        name: unique('r'),
        platform: ios.id,
        host: 'r.example.net',
      })
    ).body;
    command = (
      await api(kit.app).post('/api/plugins/toolkit/commands/', {
        name: unique('v'),
        command: 'show version',
        platforms: [ios.id, eos.id],
      })
    ).body;
  });

  afterAll(async () => {
    await kit.close();
  });

  const storedSet = (id: number) =>
    kit.infra.mongo.connection.db
      ?.collection('credential_sets')
      .findOne({ _id: id as never }) as Promise<Record<string, unknown>>;

  function render(token: string, requester = ALICE, app = kit.app) {
    const executionId = randomUUID();
    return {
      executionId,
      response: api(app, { principal: requester }).post('/internal/render', {
        execution_id: executionId,
        command_id: command.id,
        device_id: device.id,
        credentials: { credential_token: token },
        requester: { id: requester.id, username: requester.username },
        permissions: {
          execute_show: null,
          execute_config: null,
          view_command: null,
          view_device: null,
        },
      }),
    };
  }

  async function createSet(body: Record<string, unknown> = {}) {
    const res = await api(kit.app).post('/api/plugins/toolkit/credential-sets/', {
      name: unique('lab'),
      username: 'netops',
      password: 'Sup3rS3cret!',
      ...body,
    });
    expect(res.status).toBe(201);
    return res.body as { id: number; token: string; name: string };
  }

  it('when a set is created, then the token is shown once, the password never, and it is stored sealed', async () => {
    const name = unique('lab');
    const res = await api(kit.app).post('/api/plugins/toolkit/credential-sets/', {
      name,
      username: 'netops',
      password: 'Sup3rS3cret!',
      enable_secret: 'En4ble',
      platforms: [ios.id],
    });
    const read = await api(kit.app).get(`/api/plugins/toolkit/credential-sets/${res.body.id}/`);
    const stored = await storedSet(res.body.id);

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      url: `${BASE}/api/plugins/toolkit/credential-sets/${res.body.id}/`,
      display: name,
      name,
      description: '',
      owner: { id: ALICE.id, username: ALICE.username },
      platforms: [
        {
          id: ios.id,
          url: `${BASE}/api/dcim/platforms/${ios.id}/`,
          display: ios.name,
          name: ios.name,
          slug: expect.any(String),
        },
      ],
      username: 'netops',
      has_enable_secret: true,
      is_active: true,
      last_used: null,
      tags: [],
      custom_fields: {},
      created: expect.any(String),
      last_updated: expect.any(String),
      token: expect.stringMatching(/^ct_[A-Za-z0-9]{16}\.[A-Za-z0-9_-]{43}$/),
    });
    const { token: _token, ...withoutToken } = res.body;
    expect(read.body).toEqual(withoutToken);
    expect(JSON.stringify(stored)).not.toContain('Sup3rS3cret!');
    expect(JSON.stringify(stored)).not.toContain(res.body.token.split('.')[1]);
    expect(openJson(kit.keys.credential, stored['secret'] as never, String(res.body.id))).toEqual({
      password: 'Sup3rS3cret!',
      enable_secret: 'En4ble',
    });
  });

  it('when a token is used by its owner, then render seals the decrypted login for the executor and records last_used', async () => {
    const set = await createSet();

    const { executionId, response } = render(set.token);
    const res = await response;
    const after = await api(kit.app).get(`/api/plugins/toolkit/credential-sets/${set.id}/`);

    expect(res.status).toBe(200);
    expect(res.body.username).toBe('netops');
    expect(res.body.credential_set).toEqual({ id: set.id, name: set.name });
    expect(openJson(kit.keys.execution, res.body.credentials, executionId)).toEqual({
      username: 'netops',
      password: 'Sup3rS3cret!',
    });
    expect(after.body.last_used).toEqual(expect.any(String));
  });

  it('when a token is wrong, of another user, inactive or for another platform, then render refuses it clearly', async () => {
    const set = await createSet();
    const inactive = await createSet({ is_active: false });
    const eosOnly = await createSet({ platforms: [eos.id] });
    const forged = `${set.token.split('.')[0]}.${'A'.repeat(43)}`;

    const wrong = await render(forged).response;
    const garbage = await render('not-a-token').response;
    const otherUser = await render(set.token, BOB).response;
    const off = await render(inactive.token).response;
    const platform = await render(eosOnly.token).response;

    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ credential_token: ['Invalid credential token.'] });
    expect(garbage.body).toEqual({ credential_token: ['Invalid credential token.'] });
    expect(otherUser.status).toBe(400);
    expect(otherUser.body).toEqual({
      credential_token: ['This credential token belongs to another user.'],
    });
    expect(off.status).toBe(400);
    expect(off.body).toEqual({
      credential_token: [`Credential set '${inactive.name}' is inactive.`],
    });
    expect(platform.status).toBe(400);
    expect(platform.body).toEqual({
      credential_token: [
        `Credential set '${eosOnly.name}' does not support platform '${ios.name}'.`,
      ],
    });
  });

  it('when the token is regenerated, then the old one stops working and the new one works', async () => {
    const set = await createSet();

    const regenerated = await api(kit.app).post(
      `/api/plugins/toolkit/credential-sets/${set.id}/regenerate-token/`,
    );
    const old = await render(set.token).response;
    const fresh = await render(regenerated.body.token).response;

    expect(regenerated.status).toBe(200);
    expect(regenerated.body).toEqual({ id: set.id, token: expect.stringMatching(/^ct_/) });
    expect(old.status).toBe(400);
    expect(fresh.status).toBe(200);
  });

  it('when the stored ciphertext is tampered with, then it is refused without revealing anything', async () => {
    const set = await createSet();
    const stored = await storedSet(set.id);
    const secret = stored['secret'] as { ct: string };
    const ct = Buffer.from(secret.ct, 'base64');
    ct[0] = (ct[0] ?? 0) ^ 0xff;
    await kit.infra.mongo.connection.db
      ?.collection('credential_sets')
      .updateOne({ _id: set.id as never }, { $set: { 'secret.ct': ct.toString('base64') } });

    const res = await render(set.token).response;

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      credential_token: [
        `The stored credentials of credential set '${set.name}' could not be decrypted (tampered, or sealed with a key that is no longer configured). Set its password again.`,
      ],
    });
  });

  it('when the key rotates, then old sets still open, an update re-seals under the new key, and the old key can go', async () => {
    const set = await createSet();
    const c2 = randomBytes(32);
    const rotated = kit.makeApp({
      credentialKeys: createKeyring('c2', { c2, c1: kit.keys.credential.keys.get('c1') as Buffer }),
    });

    const before = await render(set.token, ALICE, rotated).response;
    const patched = await api(rotated).patch(`/api/plugins/toolkit/credential-sets/${set.id}/`, {
      description: 'rotated',
    });
    const kid = ((await storedSet(set.id))['secret'] as { kid: string }).kid;
    const newOnly = kit.makeApp({ credentialKeys: createKeyring('c2', { c2 }) });
    const after = await render(set.token, ALICE, newOnly).response;

    expect(before.status).toBe(200);
    expect(patched.status).toBe(200);
    expect(kid).toBe('c2');
    expect(after.status).toBe(200);
  });

  it('when another user lists or reads a set, then it does not exist for them', async () => {
    const set = await createSet();

    const list = await api(kit.app, { principal: BOB }).get(
      '/api/plugins/toolkit/credential-sets/',
    );
    const detail = await api(kit.app, { principal: BOB }).get(
      `/api/plugins/toolkit/credential-sets/${set.id}/`,
    );
    const deleteIt = await api(kit.app, { principal: BOB }).delete(
      `/api/plugins/toolkit/credential-sets/${set.id}/`,
    );

    expect(list.body.results.map((s: { id: number }) => s.id)).not.toContain(set.id);
    expect(detail.status).toBe(404);
    expect(deleteIt.status).toBe(404);
  });

  it('when names repeat, then they are unique per owner only', async () => {
    const name = unique('same');
    await createSet({ name });

    const again = await api(kit.app).post('/api/plugins/toolkit/credential-sets/', {
      name,
      username: 'u',
      password: 'p',
    });
    const otherOwner = await api(kit.app, { principal: BOB }).post(
      '/api/plugins/toolkit/credential-sets/',
      { name, username: 'u', password: 'p' },
    );
    const noPassword = await api(kit.app).post('/api/plugins/toolkit/credential-sets/', {
      name: unique('np'),
      username: 'u',
    });

    expect(again.status).toBe(409);
    expect(again.body).toEqual({
      detail: 'A credential set with this name already exists.',
      name: ['A credential set with this name already exists.'],
    });
    expect(otherOwner.status).toBe(201);
    expect(noPassword.status).toBe(400);
    expect(noPassword.body).toEqual({ password: ['This field is required.'] });
  });

  it('when a set changes, then its events carry no secret', async () => {
    const set = await createSet({ password: 'EventPassw0rd' });
    await api(kit.app).patch(`/api/plugins/toolkit/credential-sets/${set.id}/`, {
      password: 'EventPassw0rd2',
    });

    const messages = await collectMessages(kit.eventsTopic.topic, {
      count: 2,
      predicate: (m) => m.key === `credential-set:${set.id}`,
    });

    const text = messages.map((m) => m.value).join('\n');
    expect(text).not.toContain('EventPassw0rd');
    expect(text).not.toContain(set.token.split('.')[1]);
    expect(text).not.toContain('token_hash');
    expect(messages.map((m) => JSON.parse(m.value ?? '{}').payload.action)).toEqual([
      'created',
      'updated',
    ]);
  });

  it("when a set is renamed to another of the owner's sets' name (PUT or PATCH), then 409 names the field and neither set changes", async () => {
    const first = await createSet();
    const second = await createSet();
    const path = `/api/plugins/toolkit/credential-sets/${second.id}/`;

    const patched = await api(kit.app).patch(path, { name: first.name });
    const put = await api(kit.app).put(path, {
      name: first.name,
      username: 'netops',
      password: 'Sup3rS3cret!',
    });
    const after = await api(kit.app).get(path);

    for (const res of [patched, put]) {
      expect(res.status).toBe(409);
      expect(res.body).toHaveProperty('name');
    }
    expect(after.body.name).toBe(second.name);
  });

  it('when the key rotated and the catalog restarts to re-seal, then every set still under the old key is re-sealed under the new one, nothing else changes, and the old key can go', async () => {
    const sets = [await createSet(), await createSet()];
    const lost = await createSet();
    await kit.infra.mongo.connection.db
      ?.collection('credential_sets')
      .updateOne({ _id: lost.id as never }, { $set: { 'secret.kid': 'c0' } });
    const c3 = randomBytes(32);
    const old = kit.keys.credential.keys.get('c1') as Buffer;
    const restarted = wireCatalog({
      connection: kit.infra.mongo.connection,
      messaging: kit.infra.messaging,
      logger: kit.infra.logger,
      credentialKeys: createKeyring('c3', { c3, c1: old }),
      executionKeys: kit.keys.execution,
      eventsTopic: kit.eventsTopic,
    });
    const changes = () =>
      kit.infra.mongo.connection.db?.collection('object_changes').countDocuments({});
    const before = await Promise.all(sets.map((set) => storedSet(set.id)));
    const changesBefore = await changes();

    const first = await restarted.reseal.run();
    const second = await restarted.reseal.run();
    const after = await Promise.all(sets.map((set) => storedSet(set.id)));
    const newOnly = kit.makeApp({ credentialKeys: createKeyring('c3', { c3 }) });
    const renders = await Promise.all(
      sets.map(async (set) => (await render(set.token, ALICE, newOnly).response).status),
    );

    expect(first.resealed).toBeGreaterThanOrEqual(sets.length);
    // With the earlier tests' tampered set and the one under their own rotated key.
    expect(first.unreadable).toContain(lost.id);
    expect(second).toEqual({ resealed: 0, left: 0, unreadable: first.unreadable });
    expect(after.map((doc) => (doc['secret'] as { kid: string }).kid)).toEqual(['c3', 'c3']);
    expect(after.map((doc) => doc['last_updated'])).toEqual(
      before.map((doc) => doc['last_updated']),
    );
    expect(await changes()).toBe(changesBefore);
    expect(renders).toEqual([200, 200]);
  });
});

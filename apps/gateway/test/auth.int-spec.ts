import request from 'supertest';
import { uniqueSuffix } from '@toolkit/testing';
import { apiTokenSecrets } from '@toolkit/gateway-data-access';
import { bootstrapSuperuser } from '@toolkit/gateway-domain';
import type { GatewayHarness } from './support/gateway-harness';
import { closedPortUrl, startGatewayHarness, testPasswords } from './support/gateway-harness';

const NOT_PROVIDED = { detail: 'Authentication credentials were not provided.' };
const INVALID = { detail: 'Invalid token.' };

describe('gateway authentication and tokens', () => {
  let h: GatewayHarness;

  beforeAll(async () => {
    const down = await closedPortUrl();
    h = await startGatewayHarness({ catalogUrl: down, analyticsUrl: down });
  });

  afterAll(async () => {
    await h.close();
  });

  it('when no Authorization header is sent, then 401 says credentials were not provided', async () => {
    const response = await request(h.app).get('/api/users/users/');

    expect(response.status).toBe(401);
    expect(response.body).toEqual(NOT_PROVIDED);
    expect(response.headers['www-authenticate']).toBe('Token');
    expect(response.headers['api-version']).toBe('4.2');
  });

  it.each([
    ['a malformed header', 'Basic dXNlcjpwYXNz'],
    ['an unknown token', 'Token nbt_AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'],
    ['garbage', 'Token not-a-token'],
  ])('when %s is sent, then 401 says the token is invalid', async (_name, header) => {
    const response = await request(h.app).get('/api/users/users/').set('Authorization', header);

    expect(response.status).toBe(401);
    expect(response.body).toEqual(INVALID);
  });

  it('when the secret part is wrong, then the token is invalid', async () => {
    const { key } = await h.user({ superuser: true });
    const wrong = `${key.slice(0, -4)}AAAA`;

    const response = await request(h.app)
      .get('/api/users/users/')
      .set('Authorization', `Token ${wrong}`);

    expect(response.status).toBe(401);
    expect(response.body).toEqual(INVALID);
  });

  it('when a valid token is sent as Token or Bearer, then the request is served', async () => {
    const { key } = await h.user({ superuser: true });

    const asToken = await request(h.app)
      .get('/api/users/users/')
      .set('Authorization', `Token ${key}`);
    const asBearer = await request(h.app)
      .get('/api/users/users/')
      .set('Authorization', `Bearer ${key}`);

    expect(asToken.status).toBe(200);
    expect(asBearer.status).toBe(200);
    expect(asToken.body.count).toBeGreaterThan(0);
  });

  it('when the token has expired, then it is invalid', async () => {
    const { key } = await h.user({ superuser: true, expires: new Date(Date.now() - 1000) });

    const response = await request(h.app).get('/api/status/').set('Authorization', `Token ${key}`);

    expect(response.status).toBe(401);
    expect(response.body).toEqual(INVALID);
  });

  it('when the user is disabled, then its token is invalid', async () => {
    const { key } = await h.user({ superuser: true, active: false });

    const response = await request(h.app)
      .get('/api/users/users/')
      .set('Authorization', `Token ${key}`);

    expect(response.status).toBe(401);
    expect(response.body).toEqual(INVALID);
  });

  it('when the token allows other source addresses, then it is invalid from here, and valid from inside its range', async () => {
    const outside = await h.user({ superuser: true, allowedIps: ['192.0.2.0/24'] });
    const inside = await h.user({ superuser: true, allowedIps: ['127.0.0.0/8', '::1/128'] });

    const refused = await request(h.app)
      .get('/api/users/groups/')
      .set('Authorization', `Token ${outside.key}`);
    const served = await request(h.app)
      .get('/api/users/groups/')
      .set('Authorization', `Token ${inside.key}`);

    expect(refused.status).toBe(401);
    expect(refused.body).toEqual(INVALID);
    expect(served.status).toBe(200);
  });

  it('when X-Forwarded-For comes from a proxy nobody configured, then it is ignored; from a trusted proxy, it is the client', async () => {
    const limited = h.rebuild({ authFailureLimit: 3, authFailureWindowMs: 60_000 });
    // A fresh claimed address per guess must not reset the failure count.
    for (let i = 0; i < 3; i += 1)
      await request(limited)
        .get('/api/users/users/')
        .set('X-Forwarded-For', `203.0.113.${i}`)
        .set('Authorization', 'Token wrong-token-wrong-token-wrong-token')
        .expect(401);
    const fourth = await request(limited)
      .get('/api/users/users/')
      .set('X-Forwarded-For', '203.0.113.99')
      .set('Authorization', 'Token wrong-token-wrong-token-wrong-token');
    const ranged = await h.user({ superuser: true, allowedIps: ['192.0.2.0/24'] });
    const spoofed = await request(h.app)
      .get('/api/users/groups/')
      .set('X-Forwarded-For', '192.0.2.7')
      .set('Authorization', `Token ${ranged.key}`);
    const behindProxy = await request(h.rebuild({ trustedProxies: ['loopback'] }))
      .get('/api/users/groups/')
      .set('X-Forwarded-For', '192.0.2.7')
      .set('Authorization', `Token ${ranged.key}`);

    expect(fourth.status).toBe(429);
    expect(spoofed.status).toBe(401);
    expect(behindProxy.status).toBe(200);
  });

  it('when a read-only token writes, then 403 and nothing is created; reads still work', async () => {
    const { key } = await h.user({ superuser: true, writeEnabled: false });
    const name = `ro-${uniqueSuffix()}`;

    const write = await request(h.app)
      .post('/api/users/groups/')
      .set('Authorization', `Token ${key}`)
      .send({ name });
    const read = await request(h.app)
      .get(`/api/users/groups/?name=${name}`)
      .set('Authorization', `Token ${key}`);

    expect(write.status).toBe(403);
    expect(write.body).toEqual({ detail: 'You do not have permission to perform this action.' });
    expect(read.status).toBe(200);
    expect(read.body.count).toBe(0);
  });

  it('when a token is used, then last_used is set, and not rewritten within the minute', async () => {
    const { key, tokenId } = await h.user({ superuser: true });

    await request(h.app).get('/api/users/groups/').set('Authorization', `Token ${key}`);
    const first = (await h.store.tokens.findById(tokenId))?.lastUsed;
    await request(h.app).get('/api/users/groups/').set('Authorization', `Token ${key}`);
    const second = (await h.store.tokens.findById(tokenId))?.lastUsed;

    expect(first).toBeInstanceOf(Date);
    expect(second?.getTime()).toBe(first?.getTime());
  });

  it('when a source keeps failing, then it gets 429 with Retry-After, and the account is not locked', async () => {
    const app = h.rebuild({ authFailureLimit: 3, authFailureWindowMs: 60_000 });
    const { key } = await h.user({ superuser: true });
    for (let i = 0; i < 3; i += 1) {
      await request(app)
        .get('/api/users/users/')
        .set('Authorization', 'Token wrong-token-wrong-token-wrong-token')
        .expect(401);
    }

    const blocked = await request(app)
      .get('/api/users/users/')
      .set('Authorization', `Token ${key}`);
    const elsewhere = await request(h.app)
      .get('/api/users/users/')
      .set('Authorization', `Token ${key}`);

    expect(blocked.status).toBe(429);
    expect(blocked.body.detail).toMatch(
      /^Request was throttled\. Expected available in \d+ seconds\.$/,
    );
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(elsewhere.status).toBe(200);
  });

  it('when a token is provisioned with the right password, then 201 shows the key once and the key works', async () => {
    const password = 'correct horse battery staple';
    const { username, id } = await h.user({ password });

    const response = await request(h.app)
      .post('/api/users/tokens/provision/')
      .send({ username, password, description: 'laptop', write_enabled: false });
    const used = await request(h.app)
      .get(`/api/users/tokens/${response.body.id}/`)
      .set('Authorization', `Token ${response.body.key}`);

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      user: { id, username },
      description: 'laptop',
      write_enabled: false,
      expires: null,
      allowed_ips: [],
    });
    expect(response.body.key).toMatch(/^nbt_[A-Za-z0-9]{16}\.[A-Za-z0-9_-]{43}$/);
    expect(response.body.url).toMatch(/\/api\/users\/tokens\/\d+\/$/);
    expect(used.status).toBe(200);
    expect(used.body.key).toBeUndefined();
  });

  it('when provisioning with a wrong password or unknown user, then 401 says so without telling which', async () => {
    const { username } = await h.user({ password: 'the-real-password' });

    const wrong = await request(h.app)
      .post('/api/users/tokens/provision/')
      .send({ username, password: 'nope' });
    const unknown = await request(h.app)
      .post('/api/users/tokens/provision/')
      .send({ username: `ghost-${uniqueSuffix()}`, password: 'nope' });
    const missing = await request(h.app).post('/api/users/tokens/provision/').send({ username });

    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ detail: 'Invalid username/password' });
    expect(unknown.body).toEqual(wrong.body);
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ password: ['This field is required.'] });
  });

  it('when the superuser is bootstrapped twice from configuration, then one user and one token exist, and the configured key works', async () => {
    const username = `admin-${uniqueSuffix()}`;
    const apiToken = `0123456789abcdef0123456789abcdef${uniqueSuffix()}`.replace(
      /[^A-Za-z0-9]/g,
      'x',
    );
    const deps = {
      ...h.store,
      secrets: apiTokenSecrets(),
      passwords: testPasswords,
      clock: { now: () => new Date() },
    };

    const first = await bootstrapSuperuser(
      { username, password: 'admin-password', apiToken },
      deps,
    );
    const second = await bootstrapSuperuser(
      { username, password: 'admin-password', apiToken },
      deps,
    );
    const response = await request(h.app)
      .get(`/api/users/users/?username=${username}`)
      .set('Authorization', `Token ${apiToken}`);
    const tokens = await request(h.app)
      .get(`/api/users/tokens/?user_id=${first.user.id}`)
      .set('Authorization', `Token ${apiToken}`);

    expect([
      first.createdUser,
      first.createdToken,
      second.createdUser,
      second.createdToken,
    ]).toEqual([true, true, false, false]);
    expect(response.status).toBe(200);
    expect(response.body.results).toEqual([
      expect.objectContaining({ username, is_superuser: true }),
    ]);
    expect(tokens.body.count).toBe(1);
  });
});

import crypto from 'node:crypto';
import request from 'supertest';
import { INTERNAL_HEADERS, encodeHeaderJson } from '@toolkit/contracts';
import { createLogger } from '@toolkit/logger';
import { createRegistry } from '@toolkit/metrics';
import { createHttpApp } from './http-app';
import { internalRequest, requireInternalToken } from './internal-request';

const TOKEN = 'internal-token-0123456789';

function app(accepted: string | string[] = TOKEN) {
  return createHttpApp({
    logger: createLogger({ service: 'internal-request-spec', level: 'silent' }),
    registry: createRegistry('internal-request-spec'),
    readiness: [],
    bodyLimitBytes: 1024,
    mount: (express) => {
      express.use(requireInternalToken(accepted, { open: ['/open'] }));
      express.get('/open', (_req, res) => void res.json({ open: true }));
      express.get('/who', (req, res) => void res.json(internalRequest(req, res)));
    },
  });
}

describe('requireInternalToken', () => {
  it.each([
    ['the right one', TOKEN, 200, expect.objectContaining({ requestUrl: expect.any(String) })],
    ['missing', undefined, 401, { detail: 'Authentication credentials were not provided.' }],
    ['empty', '', 401, { detail: 'Authentication credentials were not provided.' }],
    ['wrong, of the same length', `${TOKEN.slice(0, -1)}x`, 401, { detail: 'Invalid token.' }],
    ['shorter', TOKEN.slice(0, -1), 401, { detail: 'Invalid token.' }],
    ['longer', `${TOKEN}0`, 401, { detail: 'Invalid token.' }],
    ['much shorter', 'short', 401, { detail: 'Invalid token.' }],
  ])('when the token is %s, then %i', async (_what, token, status, body) => {
    // Arrange
    const call = request(app()).get('/who');
    if (token !== undefined) call.set(INTERNAL_HEADERS.token, token);

    // Act
    const res = await call;

    // Assert
    expect([res.status, res.body]).toEqual([status, body]);
  });

  it.each([
    ['of the same length', `${TOKEN.slice(0, -1)}x`],
    ['shorter', 'short'],
    ['longer', `${TOKEN}-and-more`],
  ])(
    'when a wrong token is %s, then it is still compared in constant time over equal-length digests',
    async (_what, token) => {
      // Arrange
      const compare = jest.spyOn(crypto, 'timingSafeEqual');

      // Act
      const res = await request(app()).get('/who').set(INTERNAL_HEADERS.token, token);

      // Assert
      expect(res.status).toBe(401);
      expect(compare.mock.calls.map(([a, b]) => [a.byteLength, b.byteLength])).toEqual([[32, 32]]);
    },
  );

  it('when a rotation accepts the previous token too, then both pass, anything else does not, and every accepted token is compared', async () => {
    // Arrange
    const previous = 'previous-internal-token-0123456789';
    const rotating = app([TOKEN, previous]);
    const compare = jest.spyOn(crypto, 'timingSafeEqual');

    // Act
    const statuses = [];
    for (const token of [TOKEN, previous, 'neither-of-them-0123456789'])
      statuses.push(
        (await request(rotating).get('/who').set(INTERNAL_HEADERS.token, token)).status,
      );

    // Assert
    expect(statuses).toEqual([200, 200, 401]);
    expect(compare).toHaveBeenCalledTimes(6);
  });

  it('when the path is open, then no token is needed', async () => {
    expect((await request(app()).get('/open')).body).toEqual({ open: true });
  });
});

describe('internalRequest', () => {
  const call = (headers: Record<string, string>) => {
    const test = request(app()).get('/who?limit=5').set(INTERNAL_HEADERS.token, TOKEN);
    for (const [name, value] of Object.entries(headers)) test.set(name, value);
    return test;
  };

  it('when the gateway forwards who asks and its public origin, then both are read', async () => {
    const res = await call({
      [INTERNAL_HEADERS.principal]: encodeHeaderJson({
        id: 3,
        username: 'ann',
        isSuperuser: false,
      }),
      [INTERNAL_HEADERS.constraints]: encodeHeaderJson([{ name: 'x' }]),
      [INTERNAL_HEADERS.forwardedProto]: 'https',
      [INTERNAL_HEADERS.forwardedHost]: 'netbox.example.com',
    });

    expect(res.body).toEqual({
      principal: { id: 3, username: 'ann', isSuperuser: false },
      constraints: [{ name: 'x' }],
      requestId: expect.any(String),
      baseUrl: 'https://netbox.example.com',
      requestUrl: 'https://netbox.example.com/who?limit=5',
    });
  });

  it.each([
    ['https', 'https://netbox.example.com'],
    ['http', 'http://netbox.example.com'],
    ['https, http', 'https://netbox.example.com'],
    ['javascript', 'http://netbox.example.com'],
    ['https://evil.example', 'http://netbox.example.com'],
  ])('when X-Forwarded-Proto is %p, then the base URL is %s', async (proto, baseUrl) => {
    // Act
    const res = await call({
      [INTERNAL_HEADERS.forwardedProto]: proto,
      [INTERNAL_HEADERS.forwardedHost]: 'netbox.example.com',
    });

    // Assert
    expect(res.body.baseUrl).toBe(baseUrl);
  });

  it('when the forwarded origin is not a plain scheme and host, then it is not used in URLs', async () => {
    const res = await call({
      [INTERNAL_HEADERS.forwardedProto]: 'javascript',
      [INTERNAL_HEADERS.forwardedHost]: 'evil.example/<script>',
    });

    expect(res.body.baseUrl).toBe('http://localhost');
  });

  it('when the principal or constraints header does not decode, then 401 or 403, failing closed', async () => {
    const principal = await call({ [INTERNAL_HEADERS.principal]: 'not-base64-json' });
    const constraints = await call({ [INTERNAL_HEADERS.constraints]: 'not-base64-json' });

    expect([principal.status, principal.body]).toEqual([
      401,
      { detail: 'Invalid principal header.' },
    ]);
    expect([constraints.status, constraints.body]).toEqual([
      403,
      { detail: 'You do not have permission to perform this action.' },
    ]);
  });
});

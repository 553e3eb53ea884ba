import { FailureLimiter } from './failure-limiter';
import { invalidRanges, ipAllowed, shouldTouchLastUsed, tokenRejection } from './token-policy';
import { parseAuthorizationHeader } from './authenticate.use-case';

const now = new Date('2026-01-01T12:00:00Z');

describe('tokenRejection', () => {
  it.each([
    ['a valid token', { expires: null, allowedIps: [] }, { isActive: true }, '10.0.0.1', undefined],
    [
      'an expired token',
      { expires: new Date('2026-01-01T11:59:59Z') },
      { isActive: true },
      '10.0.0.1',
      'expired',
    ],
    ['a token expiring exactly now', { expires: now }, { isActive: true }, '10.0.0.1', 'expired'],
    [
      'a token expiring later',
      { expires: new Date('2026-01-02T00:00:00Z') },
      { isActive: true },
      '10.0.0.1',
      undefined,
    ],
    ['a disabled user', {}, { isActive: false }, '10.0.0.1', 'user_inactive'],
    ['a missing user', {}, undefined, '10.0.0.1', 'user_inactive'],
    [
      'an address inside the ranges',
      { allowedIps: ['10.0.0.0/8'] },
      { isActive: true },
      '10.2.3.4',
      undefined,
    ],
    [
      'an IPv4-mapped address inside the ranges',
      { allowedIps: ['10.0.0.0/8'] },
      { isActive: true },
      '::ffff:10.2.3.4',
      undefined,
    ],
    [
      'an address outside the ranges',
      { allowedIps: ['10.0.0.0/8', '192.0.2.1'] },
      { isActive: true },
      '172.16.0.1',
      'ip_not_allowed',
    ],
    [
      'an IPv6 address inside the ranges',
      { allowedIps: ['2001:db8::/32'] },
      { isActive: true },
      '2001:db8::5',
      undefined,
    ],
    [
      'an unknown address with ranges',
      { allowedIps: ['10.0.0.0/8'] },
      { isActive: true },
      undefined,
      'ip_not_allowed',
    ],
  ] as const)('when %s, then the rejection is %p', (_name, token, user, ip, expected) => {
    expect(
      tokenRejection({ expires: null, allowedIps: [], ...token } as never, user, {
        now,
        clientIp: ip,
      }),
    ).toBe(expected);
  });
});

describe('ranges and headers', () => {
  it('when ranges are malformed, then they are named', () => {
    expect(invalidRanges(['10.0.0.0/8', '10.0.0.0/33', 'bogus', '::1', '1.2.3.4/x'])).toEqual([
      '10.0.0.0/33',
      'bogus',
      '1.2.3.4/x',
    ]);
  });

  it('when a single address is allowed, then only that address passes', () => {
    expect(ipAllowed(['192.0.2.1'], '192.0.2.1')).toBe(true);
    expect(ipAllowed(['192.0.2.1'], '192.0.2.2')).toBe(false);
  });

  it.each([
    [undefined, 'missing'],
    ['', 'missing'],
    ['Token abc', { key: 'abc' }],
    ['token abc', { key: 'abc' }],
    ['Bearer abc', { key: 'abc' }],
    ['Basic dXNlcjpwYXNz', 'malformed'],
    ['Token', 'malformed'],
    ['Token a b', 'malformed'],
  ])('when the Authorization header is %p, then it parses as %p', (header, expected) => {
    expect(parseAuthorizationHeader(header)).toEqual(expected);
  });

  it.each([
    [null, true],
    [new Date('2026-01-01T11:59:30Z'), false],
    [new Date('2026-01-01T11:59:00Z'), true],
  ])('when last_used is %p, then touching is %p', (lastUsed, expected) => {
    expect(shouldTouchLastUsed(lastUsed, now)).toBe(expected);
  });
});

describe('FailureLimiter', () => {
  it('when failures reach the limit, then the source waits for the window and others do not', () => {
    let t = now.getTime();
    const limiter = new FailureLimiter({
      limit: 3,
      windowMs: 60_000,
      clock: { now: () => new Date(t) },
    });
    for (let i = 0; i < 3; i += 1) {
      expect(limiter.retryAfter('10.0.0.1')).toBeUndefined();
      limiter.recordFailure('10.0.0.1');
    }
    expect(limiter.retryAfter('10.0.0.1')).toBe(60);
    expect(limiter.retryAfter('10.0.0.2')).toBeUndefined();
    t += 30_000;
    expect(limiter.retryAfter('10.0.0.1')).toBe(30);
    t += 30_000;
    expect(limiter.retryAfter('10.0.0.1')).toBeUndefined();
  });

  it('when the key map is full, then it stays bounded', () => {
    const limiter = new FailureLimiter({
      limit: 1,
      windowMs: 60_000,
      maxKeys: 10,
      clock: { now: () => now },
    });
    for (let i = 0; i < 100; i += 1) limiter.recordFailure(`k${i}`);
    expect(limiter.retryAfter('k99')).toBe(60);
  });
});

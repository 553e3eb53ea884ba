import { randomBytes } from 'node:crypto';
import { createKeyring, open, openJson, parseKeyring, seal, sealJson } from './sealed-box';
import { issueToken, parseToken, secretMatches } from './tokens';

const k1 = randomBytes(32);
const k2 = randomBytes(32);

describe('sealed boxes', () => {
  it('when a value is sealed and opened with the same context, then it round-trips and the ciphertext hides it', () => {
    const keyring = createKeyring('k1', { k1 });

    const box = sealJson(keyring, { username: 'admin', password: 'hunter2' }, 'exec-1');

    expect(JSON.stringify(box)).not.toContain('hunter2');
    expect(openJson(keyring, box, 'exec-1')).toEqual({ username: 'admin', password: 'hunter2' });
  });

  it('when one byte of the ciphertext is changed, then opening fails without revealing why', () => {
    const keyring = createKeyring('k1', { k1 });
    const box = seal(keyring, 'secret', 'ctx');
    const ct = Buffer.from(box.ct, 'base64');
    ct[0] = (ct[0] ?? 0) ^ 1;

    expect(() => open(keyring, { ...box, ct: ct.toString('base64') }, 'ctx')).toThrow(
      expect.objectContaining({
        code: 'sealed-box-tampered',
        message: 'Encrypted value failed authentication.',
      }),
    );
  });

  it('when a box is opened in another context, then it is refused', () => {
    const keyring = createKeyring('k1', { k1 });
    expect(() => open(keyring, seal(keyring, 'secret', 'exec-1'), 'exec-2')).toThrow(
      /failed authentication/,
    );
  });

  it('when the key rotates, then old boxes still open and new boxes use the new key', () => {
    const before = createKeyring('k1', { k1 });
    const old = seal(before, 'old', 'ctx');
    const after = createKeyring('k2', { k1, k2 });

    const fresh = seal(after, 'new', 'ctx');

    expect(fresh.kid).toBe('k2');
    expect(open(after, old, 'ctx').toString()).toBe('old');
    expect(() => open(before, fresh, 'ctx')).toThrow(
      expect.objectContaining({ code: 'sealed-box-unknown-key' }),
    );
  });

  it('when a keyring is configured as kid:key pairs, then the first is current', () => {
    const keyring = parseKeyring(`a:${k1.toString('hex')}, b:${k2.toString('base64')}`);
    expect(keyring.current).toBe('a');
    expect(keyring.keys.get('b')).toEqual(k2);
    expect(() => parseKeyring('a:short')).toThrow(/32 bytes/);
  });
});

describe('tokens', () => {
  it('when a token is issued, then it parses back to its lookup id and only its own secret matches', () => {
    const issued = issueToken('tk');

    const parsed = parseToken(issued.token, 'tk');

    expect(parsed?.lookupId).toBe(issued.lookupId);
    expect(secretMatches(parsed?.secret ?? '', issued.secretHash)).toBe(true);
    expect(secretMatches(issueToken('tk').token.split('.')[1] ?? '', issued.secretHash)).toBe(
      false,
    );
    expect(issued.secretHash).not.toContain(parsed?.secret ?? '');
  });

  it('when a token has another prefix or shape, then it does not parse', () => {
    expect(parseToken(issueToken('ct').token, 'tk')).toBeUndefined();
    expect(parseToken('tk_short.x', 'tk')).toBeUndefined();
  });
});

import { utils } from 'ssh2';
import { generateEd25519KeyPair } from './fleet';

describe('generateEd25519KeyPair', () => {
  it('when many key pairs are generated, then every one parses (ssh2 alone fails about once in 200)', () => {
    const failures = Array.from({ length: 1_000 }, generateEd25519KeyPair).filter(
      (pair) =>
        utils.parseKey(pair.public) instanceof Error ||
        utils.parseKey(pair.private) instanceof Error,
    );

    expect(failures).toEqual([]);
  });
});

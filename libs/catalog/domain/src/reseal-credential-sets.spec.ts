import type { SealedBox } from '@toolkit/contracts';
import type { CredentialSetDoc } from './entities';
import type { SecretBox } from './ports';
import { ResealCredentialSets } from './reseal-credential-sets.use-case';

/** A box that "seals" by naming the key: enough to tell which key a set is under. */
const box = (current: string, known: string[]): SecretBox => ({
  currentKeyId: () => current,
  seal: (value, aad) => ({
    alg: 'A256GCM',
    kid: current,
    iv: aad,
    tag: 't',
    ct: JSON.stringify(value),
  }),
  open: (sealed) => {
    if (!known.includes(sealed.kid)) throw new Error(`key ${sealed.kid} unknown`);
    return JSON.parse(sealed.ct) as unknown;
  },
});

const aSet = (id: number, kid: string): CredentialSetDoc =>
  ({
    _id: id,
    secret: { alg: 'A256GCM', kid, iv: String(id), tag: 't', ct: `{"password":"p${id}"}` },
    last_used: null,
    last_updated: new Date('2026-12-01T00:00:00Z'),
  }) as unknown as CredentialSetDoc;

/** The repository calls over an array; `beforeWrite` changes a set as another writer would. */
function store(sets: CredentialSetDoc[], beforeWrite: (id: number) => void = () => undefined) {
  const byId = (id: number) => sets.find((s) => s._id === id) ?? null;
  return {
    sets,
    find: async (filter: Record<string, unknown>, options?: { limit?: number }) => {
      const after = (filter['_id'] as { $gt: number }).$gt;
      const not = (filter['secret.kid'] as { $ne: string }).$ne;
      return sets
        .filter((s) => s._id > after && s.secret.kid !== not)
        .sort((a, b) => a._id - b._id)
        .slice(0, options?.limit);
    },
    findById: async (id: number) => byId(id),
    setWhere: async (filter: Record<string, unknown>, set: Record<string, unknown>) => {
      const id = filter['_id'] as number;
      beforeWrite(id);
      const held = byId(id);
      if (held && held.secret.ct === filter['secret.ct']) held.secret = set['secret'] as SealedBox;
    },
  };
}

/** A box sealed under the old key by a replica still on the old ring. */
const underOldKey = (password: string): SealedBox => ({
  alg: 'A256GCM',
  kid: 'k1',
  iv: 'x',
  tag: 't',
  ct: JSON.stringify({ password }),
});

describe('re-sealing credential sets after a key rotation', () => {
  it('when sets are under old keys, then each one an old key opens is sealed under the current key, page after page, and the others are named', async () => {
    const repo = store([aSet(1, 'k1'), aSet(2, 'k2'), aSet(3, 'k0'), aSet(4, 'k1'), aSet(5, 'k1')]);
    const reseal = new ResealCredentialSets({
      sets: repo,
      box: box('k2', ['k1', 'k2']),
      pageSize: 2,
    });

    const outcome = await reseal.run();

    expect(outcome).toEqual({ resealed: 3, left: 0, unreadable: [3] });
    expect(repo.sets.map((s) => s.secret.kid)).toEqual(['k2', 'k2', 'k0', 'k2', 'k2']);
    expect(repo.sets[0]?.secret.ct).toBe('{"password":"p1"}');
  });

  it('when a replica on the old ring updates a set between its read and its re-seal, then the update is kept and re-sealed in turn', async () => {
    let updates = 0;
    const repo = store([aSet(1, 'k1')], () => {
      if (updates++ === 0) (repo.sets[0] as CredentialSetDoc).secret = underOldKey('new');
    });
    const reseal = new ResealCredentialSets({ sets: repo, box: box('k2', ['k1', 'k2']) });

    const outcome = await reseal.run();

    expect(outcome).toEqual({ resealed: 1, left: 0, unreadable: [] });
    expect(repo.sets[0]?.secret).toMatchObject({ kid: 'k2', ct: '{"password":"new"}' });
  });

  it('when a set keeps being sealed under the old key, then it is counted as left after a few tries (the old key must stay)', async () => {
    let updates = 0;
    const repo = store([aSet(1, 'k1')], () => {
      (repo.sets[0] as CredentialSetDoc).secret = underOldKey(`again ${updates++}`);
    });
    const reseal = new ResealCredentialSets({ sets: repo, box: box('k2', ['k1', 'k2']) });

    const outcome = await reseal.run();

    expect([outcome, repo.sets[0]?.secret.kid]).toEqual([
      { resealed: 0, left: 1, unreadable: [] },
      'k1',
    ]);
  });
});

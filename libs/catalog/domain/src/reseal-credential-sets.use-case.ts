import type { CredentialSetDoc } from './entities';
import type { Repository, SecretBox } from './ports';

export interface ResealOutcome {
  /** Sets now sealed under the current key. */
  resealed: number;
  /** Sets still under an older key after a few tries (updated under an old key meanwhile). */
  left: number;
  /** Ids of the sets that do not open under any configured key: their key cannot go. */
  unreadable: number[];
}

/** Tries per set: another writer changed its box in between (a replica on the old ring). */
const TRIES = 3;

/**
 * Re-seals under the current key every credential set sealed under an older one, after a
 * CREDENTIAL_KEYS rotation, so that the old key can be dropped on a known date instead of
 * once every set happened to be updated. Only the box is written, and only if it is still
 * the box that was opened: a set updated meanwhile is read again (its writer may have run
 * with the old ring), so replicas doing the same and users updating sets are safe; token
 * use (`last_used`) never conflicts. Not a change of the set: no change record, no event,
 * `last_updated` kept. Every replica must hold the new key before this runs (the rotation
 * procedure, docs/deployment.md): a replica without it could not open the sets any more.
 */
export class ResealCredentialSets {
  constructor(
    private readonly deps: {
      sets: Pick<Repository<CredentialSetDoc>, 'find' | 'findById' | 'setWhere'>;
      box: SecretBox;
      /** Sets read per query. */
      pageSize?: number;
    },
  ) {}

  async run(): Promise<ResealOutcome> {
    const current = this.deps.box.currentKeyId();
    const pageSize = this.deps.pageSize ?? 100;
    const outcome: ResealOutcome = { resealed: 0, left: 0, unreadable: [] };
    let after = 0;
    for (;;) {
      const page = await this.deps.sets.find(
        { _id: { $gt: after }, 'secret.kid': { $ne: current } },
        { sort: [['_id', 1]], limit: pageSize },
      );
      for (const set of page) await this.reseal(set, current, outcome);
      const last = page[page.length - 1];
      if (!last || page.length < pageSize) return outcome;
      after = last._id;
    }
  }

  private async reseal(
    first: CredentialSetDoc,
    current: string,
    outcome: ResealOutcome,
  ): Promise<void> {
    const aad = String(first._id);
    let set: CredentialSetDoc | null = first;
    for (let attempt = 1; set && set.secret.kid !== current; attempt++) {
      if (attempt > TRIES) {
        outcome.left++;
        return;
      }
      let secrets: unknown;
      try {
        secrets = this.deps.box.open(set.secret, aad);
      } catch {
        outcome.unreadable.push(set._id);
        return;
      }
      await this.deps.sets.setWhere(
        { _id: set._id, 'secret.ct': set.secret.ct },
        { secret: this.deps.box.seal(secrets, aad) },
      );
      set = await this.deps.sets.findById(set._id);
    }
    // Deleted meanwhile: nothing left to re-seal.
    if (set) outcome.resealed++;
  }
}

import type { Filter } from '@toolkit/netbox-list';
import type { CredentialSetDoc } from './entities';
import type { Repository, SecretBox } from './ports';

export interface ResealOutcome {
  /** Sets now sealed under the current key. */
  resealed: number;
  /** Sets changed by someone else meanwhile (their update sealed them under the current key). */
  skipped: number;
  /** Ids of the sets that do not open under any configured key: the old key cannot go yet. */
  unreadable: number[];
}

/**
 * Re-seals under the current key every credential set sealed under an older one, after a
 * CREDENTIAL_KEYS rotation, so that the old key can be dropped on a known date instead of
 * once every set happened to be updated. Idempotent and safe with several replicas running
 * it and users updating sets: each set is written only if it is still what was read (its
 * box, `last_used` and `last_updated`), and otherwise left to the writer that changed it,
 * which sealed it under the current key. Not a change of the set: no change record, no
 * event, `last_updated` kept.
 */
export class ResealCredentialSets {
  constructor(
    private readonly deps: {
      sets: Pick<Repository<CredentialSetDoc>, 'find' | 'replaceIf'>;
      box: SecretBox;
      /** Sets read per query. */
      pageSize?: number;
    },
  ) {}

  async run(): Promise<ResealOutcome> {
    const current = this.deps.box.currentKeyId();
    const pageSize = this.deps.pageSize ?? 100;
    const outcome: ResealOutcome = { resealed: 0, skipped: 0, unreadable: [] };
    let after = 0;
    for (;;) {
      const page = await this.deps.sets.find(
        { _id: { $gt: after }, 'secret.kid': { $ne: current } },
        { sort: [['_id', 1]], limit: pageSize },
      );
      for (const set of page) await this.reseal(set, outcome);
      const last = page[page.length - 1];
      if (!last || page.length < pageSize) return outcome;
      after = last._id;
    }
  }

  private async reseal(set: CredentialSetDoc, outcome: ResealOutcome): Promise<void> {
    const aad = String(set._id);
    let secrets: unknown;
    try {
      secrets = this.deps.box.open(set.secret, aad);
    } catch {
      outcome.unreadable.push(set._id);
      return;
    }
    const unchanged: Filter = {
      'secret.ct': set.secret.ct,
      last_used: set.last_used,
      last_updated: set.last_updated,
    };
    const written = await this.deps.sets.replaceIf(
      { ...set, secret: this.deps.box.seal(secrets, aad) },
      unchanged,
    );
    if (written) outcome.resealed++;
    else outcome.skipped++;
  }
}

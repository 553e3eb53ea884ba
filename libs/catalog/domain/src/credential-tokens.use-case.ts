import { AppError } from '@toolkit/errors';
import type { CredentialSetDoc } from './entities';
import type { Clock, Logger, SecretBox, TokenIssuer } from './ports';
import type { RequestContext } from './ports';
import type { CatalogServices } from './resources';

export interface ResolvedCredentials {
  username: string;
  password: string;
  enableSecret: string | null;
  set: { id: number; name: string };
}

/**
 * Credential tokens: issued once, stored as (lookup id, SHA-256 of the secret part).
 * Verification is one indexed find by lookup id plus a constant-time comparison (the
 * original compared the raw token with an Argon2 hash, so no token ever matched, and its
 * service looped Argon2 over every set of the user).
 */
export class CredentialTokens {
  constructor(
    private readonly services: CatalogServices,
    private readonly deps: {
      tokens: TokenIssuer;
      credentialBox: SecretBox;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  /** `POST {id}/regenerate-token/`: the old token stops working at once. */
  async regenerate(id: number, ctx: RequestContext): Promise<{ id: number; token: string }> {
    const service = this.services.credentialSets;
    return service.transaction(async () => {
      const [before] = await service.loadForWrite([id], ctx);
      const issued = this.deps.tokens.issue();
      const after: CredentialSetDoc = {
        ...(before as CredentialSetDoc),
        token_lookup_id: issued.lookupId,
        token_hash: issued.secretHash,
        last_updated: this.deps.clock.now(),
      };
      await service.replaceAll([before as CredentialSetDoc], [after]);
      await service.recordChanges('updated', [{ before, after }], ctx);
      return { id, token: issued.token };
    });
  }

  /**
   * The decrypted login of a token, for one requester and one device platform. Refuses
   * tokens of another user, inactive sets and sets limited to other platforms, with clear
   * messages; records `last_used`.
   */
  async resolve(
    token: string,
    requesterId: number,
    platform: { id: number; name: string } | null,
  ): Promise<ResolvedCredentials> {
    const invalid = () => AppError.validation({ credential_token: ['Invalid credential token.'] });
    const parsed = this.deps.tokens.parse(token);
    if (!parsed) throw invalid();
    const [set] = await this.services.credentialSets.repository.find(
      { token_lookup_id: parsed.lookupId },
      { limit: 1 },
    );
    if (!set || !this.deps.tokens.matches(parsed.secret, set.token_hash)) throw invalid();
    // 400 naming the field, as the original answers every credential problem.
    const refused = (code: string, message: string) =>
      AppError.validation({ credential_token: [message] }, code);
    if (set.owner.id !== requesterId)
      throw refused('credential-set-not-owned', 'This credential token belongs to another user.');
    if (!set.is_active)
      throw refused('credential-set-inactive', `Credential set '${set.name}' is inactive.`);
    if (set.platforms.length > 0 && !set.platforms.some((p) => p.id === platform?.id))
      throw refused(
        'credential-set-platform',
        `Credential set '${set.name}' does not support platform '${platform?.name ?? 'none'}'.`,
      );
    let secrets: { password: string; enable_secret: string | null };
    try {
      secrets = this.deps.credentialBox.open(set.secret, String(set._id)) as typeof secrets;
    } catch (error) {
      this.deps.logger.error(
        { err: error, credentialSetId: set._id },
        'credential set could not be decrypted',
      );
      throw AppError.validation({
        credential_token: [
          `The stored credentials of credential set '${set.name}' could not be decrypted (tampered, or sealed with a key that is no longer configured). Set its password again.`,
        ],
      });
    }
    // At most once a minute per set (as API tokens): not a write on every execution.
    const now = this.deps.clock.now();
    if (!set.last_used || now.getTime() - new Date(set.last_used).getTime() >= 60_000)
      await this.services.credentialSets.repository.setWhere({ _id: set._id }, { last_used: now });
    return {
      username: set.username,
      password: secrets.password,
      enableSecret: secrets.enable_secret,
      set: { id: set._id, name: set.name },
    };
  }
}

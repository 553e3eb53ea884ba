import {
  CREDENTIAL_SET_BRIEF_FIELDS,
  credentialSetCreateSchema,
  credentialSetSchema,
  credentialSetListSpec,
  credentialSetUpdateSchema,
} from '@toolkit/api-contracts';
import type { CredentialSetCreate } from '@toolkit/api-contracts';
import { AppError } from '@toolkit/errors';
import type { CredentialSetDoc } from '../entities';
import { PATHS, iso, namedBrief, normaliseTags, objectUrl } from '../presenters';
import { resolveRefs } from '../references';
import type { Presented, ResourceDefinition } from '../resource-service';
import { NOTHING, taggable, taggableInput, timestamps, namedRef } from './shared';
import type { ResourceEnv } from './shared';

export function credentialSetResource({
  repos,
  deps,
}: ResourceEnv): ResourceDefinition<CredentialSetDoc, CredentialSetCreate> {
  return {
    entity: 'credential-set',
    objectType: 'toolkit.credentialset',
    label: 'credential set',
    path: PATHS.credentialSet,
    listSpec: credentialSetListSpec,
    briefFields: CREDENTIAL_SET_BRIEF_FIELDS,
    createSchema: credentialSetCreateSchema,
    representation: credentialSetSchema,
    patchSchema: credentialSetUpdateSchema,
    repository: repos.credentialSets,
    scope: (ctx) => (ctx.principal ? { 'owner.id': ctx.principal.id } : NOTHING),
    ownerOf: (d) => d.owner.id,
    toInput: (d) => ({
      name: d.name,
      description: d.description,
      platforms: d.platforms.map((p) => p.id),
      username: d.username,
      is_active: d.is_active,
      ...taggableInput(d),
    }),
    build: async (input, { id, now, existing, ctx, batch }) => {
      const owner =
        existing?.owner ??
        (ctx.principal ? { id: ctx.principal.id, username: ctx.principal.username } : undefined);
      if (!owner)
        throw new AppError({
          code: 'no-principal',
          category: 'forbidden',
          message: 'Credential sets belong to a user; none was given.',
        });
      const platforms = await resolveRefs(
        'platform',
        repos.platforms,
        batch,
        input.platforms ?? [],
        'platforms',
      );
      let secrets: { password: string; enable_secret: string | null };
      if (existing) {
        const stored = deps.credentialBox.open(existing.secret, String(existing._id)) as {
          password: string;
          enable_secret: string | null;
        };
        secrets = {
          password: input.password ?? stored.password,
          enable_secret:
            input.enable_secret === undefined ? stored.enable_secret : input.enable_secret,
        };
      } else {
        if (!input.password) throw AppError.validation({ password: ['This field is required.'] });
        secrets = { password: input.password, enable_secret: input.enable_secret ?? null };
      }
      const token = existing ? undefined : deps.tokens.issue();
      return {
        doc: {
          _id: id,
          owner,
          name: input.name,
          description: input.description ?? '',
          platforms: platforms.map(namedRef),
          username: input.username,
          // Re-sealed on every update: under the current key, which is how keys rotate.
          secret: deps.credentialBox.seal(secrets, String(id)),
          has_enable_secret: Boolean(secrets.enable_secret),
          token_lookup_id: token?.lookupId ?? (existing as CredentialSetDoc).token_lookup_id,
          token_hash: token?.secretHash ?? (existing as CredentialSetDoc).token_hash,
          is_active: input.is_active ?? true,
          last_used: existing?.last_used ?? null,
          tags: normaliseTags(input.tags),
          custom_fields: input.custom_fields ?? {},
          created: now,
          last_updated: now,
        },
        ...(token ? { once: { token: token.token } } : {}),
      };
    },
    present: presentCredentialSet,
    display: (d) => d.name,
    uniqueKeys: [
      { field: 'name', key: (d) => ({ 'owner.id': d.owner.id, name: d.name }), indexed: true },
    ],
  };
}

export function presentCredentialSet(d: CredentialSetDoc, base: string): Presented {
  return {
    id: d._id,
    url: objectUrl(base, PATHS.credentialSet, d._id),
    display: d.name,
    name: d.name,
    description: d.description,
    owner: { id: d.owner.id, username: d.owner.username },
    platforms: d.platforms.map((p) => namedBrief(base, PATHS.platform, p)),
    username: d.username,
    has_enable_secret: d.has_enable_secret,
    is_active: d.is_active,
    last_used: iso(d.last_used),
    ...taggable(d),
    ...timestamps(d),
  };
}

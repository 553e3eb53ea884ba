import {
  PLATFORM_BRIEF_FIELDS,
  platformCreateSchema,
  platformSchema,
  platformListSpec,
  platformUpdateSchema,
} from '@toolkit/api-contracts';
import type { PlatformCreate } from '@toolkit/api-contracts';
import type { NamedRef, PlatformDoc } from '../entities';
import { driverForPlatform } from '../platform-aliases';
import { PATHS, objectUrl } from '../presenters';
import type { ResourceDefinition } from '../resource-service';
import {
  taggable,
  taggableInput,
  timestamps,
  namedRef,
  blocked,
  rewriteRefs,
  storedFields,
  NAME_AND_SLUG_KEYS,
} from './shared';
import type { ResourceEnv } from './shared';

export function platformResource({
  repos,
}: ResourceEnv): ResourceDefinition<PlatformDoc, PlatformCreate> {
  return {
    entity: 'platform',
    objectType: 'dcim.platform',
    label: 'platform',
    path: PATHS.platform,
    listSpec: platformListSpec,
    briefFields: PLATFORM_BRIEF_FIELDS,
    createSchema: platformCreateSchema,
    representation: platformSchema,
    patchSchema: platformUpdateSchema,
    repository: repos.platforms,
    toInput: (d) => ({
      name: d.name,
      slug: d.slug,
      description: d.description,
      // A driver derived from the slug follows the slug; only an explicit one is kept.
      ...(d.driver !== driverForPlatform(d.slug, d.name) ? { driver: d.driver } : {}),
      netbox_id: d.netbox_id,
      ...taggableInput(d),
    }),
    build: async (input, { id, now }) => ({
      doc: {
        _id: id,
        name: input.name,
        slug: input.slug,
        description: input.description ?? '',
        driver:
          input.driver === undefined ? driverForPlatform(input.slug, input.name) : input.driver,
        ...storedFields(input, now),
      },
    }),
    present: (d, base) => ({
      id: d._id,
      url: objectUrl(base, PATHS.platform, d._id),
      display: d.name,
      name: d.name,
      slug: d.slug,
      description: d.description,
      driver: d.driver,
      netbox_id: d.netbox_id,
      ...taggable(d),
      ...timestamps(d),
    }),
    display: (d) => d.name,
    uniqueKeys: NAME_AND_SLUG_KEYS,
    assertDeletable: async (docs) => {
      for (const d of docs) {
        const [devices, commands, sets] = await Promise.all([
          repos.devices.count({ 'platform.id': d._id }),
          repos.commands.count({ 'platforms.id': d._id }),
          repos.credentialSets.count({ 'platforms.id': d._id }),
        ]);
        if (devices + commands + sets > 0)
          throw blocked('platform', d.name, [
            [devices, 'device'],
            [commands, 'command'],
            [sets, 'credential set'],
          ]);
      }
    },
    cascadeUpdate: async (before, after) => {
      if (before.name === after.name && before.slug === after.slug) return;
      const ref = namedRef(after);
      await repos.devices.setWhere({ 'platform.id': after._id }, { platform: ref });
      const swap = <T extends { platforms: NamedRef[] }>(doc: T): T => ({
        ...doc,
        platforms: doc.platforms.map((p) => (p.id === ref.id ? ref : p)),
      });
      await rewriteRefs(repos.commands, { 'platforms.id': after._id }, swap);
      await rewriteRefs(repos.credentialSets, { 'platforms.id': after._id }, swap);
    },
  };
}

import {
  SITE_BRIEF_FIELDS,
  SITE_STATUSES,
  siteCreateSchema,
  siteSchema,
  siteListSpec,
  siteUpdateSchema,
} from '@toolkit/api-contracts';
import type { SiteCreate } from '@toolkit/api-contracts';
import type { SiteDoc } from '../entities';
import { PATHS, choice, objectUrl } from '../presenters';
import type { ResourceDefinition } from '../resource-service';
import {
  taggable,
  taggableInput,
  timestamps,
  namedRef,
  blocked,
  storedFields,
  NAME_AND_SLUG_KEYS,
} from './shared';
import type { ResourceEnv } from './shared';

export function siteResource({ repos }: ResourceEnv): ResourceDefinition<SiteDoc, SiteCreate> {
  return {
    entity: 'site',
    objectType: 'dcim.site',
    label: 'site',
    path: PATHS.site,
    listSpec: siteListSpec,
    briefFields: SITE_BRIEF_FIELDS,
    createSchema: siteCreateSchema,
    representation: siteSchema,
    patchSchema: siteUpdateSchema,
    repository: repos.sites,
    toInput: (d) => ({
      name: d.name,
      slug: d.slug,
      status: d.status,
      description: d.description,
      netbox_id: d.netbox_id,
      ...taggableInput(d),
    }),
    build: async (input, { id, now }) => ({
      doc: {
        _id: id,
        name: input.name,
        slug: input.slug,
        status: input.status ?? 'active',
        description: input.description ?? '',
        ...storedFields(input, now),
      },
    }),
    present: (d, base) => ({
      id: d._id,
      url: objectUrl(base, PATHS.site, d._id),
      display: d.name,
      name: d.name,
      slug: d.slug,
      status: choice(SITE_STATUSES, d.status),
      description: d.description,
      netbox_id: d.netbox_id,
      ...taggable(d),
      ...timestamps(d),
    }),
    display: (d) => d.name,
    uniqueKeys: NAME_AND_SLUG_KEYS,
    assertDeletable: async (docs) => {
      for (const d of docs) {
        const [devices, vlans] = await Promise.all([
          repos.devices.count({ 'site.id': d._id }),
          repos.vlans.count({ 'site.id': d._id }),
        ]);
        if (devices + vlans > 0)
          throw blocked('site', d.name, [
            [devices, 'device'],
            [vlans, 'VLAN'],
          ]);
      }
    },
    cascadeUpdate: async (before, after) => {
      if (before.name === after.name && before.slug === after.slug) return;
      await repos.devices.setWhere({ 'site.id': after._id }, { site: namedRef(after) });
      await repos.vlans.setWhere({ 'site.id': after._id }, { site: namedRef(after) });
    },
  };
}

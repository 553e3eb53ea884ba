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
import { PATHS, choice, normaliseTags, objectUrl } from '../presenters';
import type { ResourceDefinition } from '../resource-service';
import { taggable, taggableInput, timestamps, namedRef, blocked } from './shared';
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
        netbox_id: input.netbox_id ?? null,
        tags: normaliseTags(input.tags),
        custom_fields: input.custom_fields ?? {},
        created: now,
        last_updated: now,
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
    uniqueKeys: [
      { field: 'name', key: (d) => ({ name: d.name }), indexed: true },
      { field: 'slug', key: (d) => ({ slug: d.slug }), indexed: true },
    ],
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

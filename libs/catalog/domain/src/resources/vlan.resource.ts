import {
  VLAN_BRIEF_FIELDS,
  VLAN_STATUSES,
  vlanCreateSchema,
  vlanSchema,
  vlanListSpec,
  vlanUpdateSchema,
} from '@toolkit/api-contracts';
import type { VlanCreate } from '@toolkit/api-contracts';
import type { VlanDoc } from '../entities';
import { PATHS, choice, namedBrief, objectUrl } from '../presenters';
import { resolveRef } from '../references';
import type { ResourceDefinition } from '../resource-service';
import {
  taggable,
  taggableInput,
  timestamps,
  namedRef,
  vlanRef,
  blocked,
  rewriteRefs,
} from './shared';
import { storedFields } from './shared';
import type { ResourceEnv } from './shared';

export function vlanResource({ repos }: ResourceEnv): ResourceDefinition<VlanDoc, VlanCreate> {
  return {
    entity: 'vlan',
    objectType: 'ipam.vlan',
    label: 'VLAN',
    path: PATHS.vlan,
    listSpec: vlanListSpec,
    briefFields: VLAN_BRIEF_FIELDS,
    createSchema: vlanCreateSchema,
    representation: vlanSchema,
    patchSchema: vlanUpdateSchema,
    repository: repos.vlans,
    toInput: (d) => ({
      vid: d.vid,
      name: d.name,
      site: d.site?.id ?? null,
      status: d.status,
      description: d.description,
      netbox_id: d.netbox_id,
      ...taggableInput(d),
    }),
    build: async (input, { id, now, batch }) => {
      const siteDoc = input.site
        ? await resolveRef('site', repos.sites, batch, input.site, 'site')
        : undefined;
      return {
        doc: {
          _id: id,
          vid: input.vid,
          name: input.name,
          site: siteDoc ? namedRef(siteDoc) : null,
          status: input.status ?? 'active',
          description: input.description ?? '',
          ...storedFields(input, now),
        },
      };
    },
    present: (d, base) => ({
      id: d._id,
      url: objectUrl(base, PATHS.vlan, d._id),
      display: `${d.name} (${d.vid})`,
      vid: d.vid,
      name: d.name,
      site: d.site ? namedBrief(base, PATHS.site, d.site) : null,
      status: choice(VLAN_STATUSES, d.status),
      description: d.description,
      netbox_id: d.netbox_id,
      ...taggable(d),
      ...timestamps(d),
    }),
    display: (d) => `${d.name} (${d.vid})`,
    // No unique index: (site, vid) is unique only for VLANs with a site (no partial indexes on FerretDB).
    uniqueKeys: [
      { field: 'vid', key: (d) => (d.site ? { 'site.id': d.site.id, vid: d.vid } : undefined) },
    ],
    assertDeletable: async (docs) => {
      for (const d of docs) {
        const interfaces = await repos.interfaces.count({ vlan_ids: d._id });
        if (interfaces > 0)
          throw blocked('VLAN', `${d.name} (${d.vid})`, [[interfaces, 'interface']]);
      }
    },
    cascadeUpdate: async (before, after) => {
      if (before.vid === after.vid && before.name === after.name) return;
      const ref = vlanRef(after);
      await rewriteRefs(repos.interfaces, { vlan_ids: after._id }, (doc) => ({
        ...doc,
        untagged_vlan: doc.untagged_vlan?.id === ref.id ? ref : doc.untagged_vlan,
        tagged_vlans: doc.tagged_vlans.map((v) => (v.id === ref.id ? ref : v)),
      }));
    },
  };
}

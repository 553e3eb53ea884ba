import { Schema } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import {
  commandListSpec,
  credentialSetListSpec,
  deviceListSpec,
  interfaceListSpec,
  ipAddressListSpec,
  objectChangeListSpec,
  platformListSpec,
  siteListSpec,
  vlanListSpec,
} from '@toolkit/api-contracts';
import type { ListSpec } from '@toolkit/netbox-list';

/**
 * One collection per catalog resource. Documents are written and read through the driver
 * (lean, no hydration: they are plain domain objects), so the schemas' job is to name the
 * collection and declare its indexes: one per filter path, one per sort (with `_id` as
 * the tiebreaker the list library appends), and the unique keys.
 */
interface CollectionSpec {
  model: string;
  collection: string;
  listSpec: ListSpec;
  unique?: Record<string, 1>[];
  extra?: Record<string, 1 | -1>[];
}

const COLLECTIONS: readonly CollectionSpec[] = [
  {
    model: 'CatalogPlatform',
    collection: 'platforms',
    listSpec: platformListSpec,
    unique: [{ name: 1 }, { slug: 1 }],
  },
  {
    model: 'CatalogSite',
    collection: 'sites',
    listSpec: siteListSpec,
    unique: [{ name: 1 }, { slug: 1 }],
  },
  {
    model: 'CatalogDevice',
    collection: 'devices',
    listSpec: deviceListSpec,
    unique: [{ name: 1 }],
  },
  {
    model: 'CatalogInterface',
    collection: 'interfaces',
    listSpec: interfaceListSpec,
    unique: [{ 'device.id': 1, name: 1 }],
  },
  {
    model: 'CatalogVlan',
    collection: 'vlans',
    listSpec: vlanListSpec,
    extra: [{ 'site.id': 1, vid: 1 }],
  },
  { model: 'CatalogIpAddress', collection: 'ip_addresses', listSpec: ipAddressListSpec },
  { model: 'CatalogCommand', collection: 'commands', listSpec: commandListSpec },
  {
    model: 'CatalogCredentialSet',
    collection: 'credential_sets',
    listSpec: credentialSetListSpec,
    unique: [{ token_lookup_id: 1 }, { 'owner.id': 1, name: 1 }],
    extra: [{ 'owner.id': 1, _id: 1 }],
  },
  {
    model: 'CatalogParsingTemplate',
    collection: 'parsing_templates',
    // Custom templates only, listed together with the library in memory: few indexes.
    listSpec: {
      filters: [{ name: 'platform', type: 'string' }],
      ordering: { name: 'name' },
      defaultOrdering: ['name'],
    },
    unique: [{ name: 1 }],
  },
  {
    model: 'CatalogObjectChange',
    collection: 'object_changes',
    listSpec: objectChangeListSpec,
    // A rolled-back write's records are found by transaction.
    extra: [{ txn: 1 }],
  },
];

export type CollectionName =
  | 'platforms'
  | 'sites'
  | 'devices'
  | 'interfaces'
  | 'vlans'
  | 'ip_addresses'
  | 'commands'
  | 'credential_sets'
  | 'parsing_templates'
  | 'object_changes';

/** Index keys derived from a list spec: what the API filters and sorts on. */
export function indexesFor(
  spec: CollectionSpec,
): { key: Record<string, 1 | -1>; unique: boolean }[] {
  const seen = new Set<string>();
  const out: { key: Record<string, 1 | -1>; unique: boolean }[] = [];
  const add = (key: Record<string, 1 | -1>, unique = false) => {
    const text = JSON.stringify(key);
    if (seen.has(text) || text === '{"_id":1}') return;
    seen.add(text);
    out.push({ key, unique });
  };
  for (const key of spec.unique ?? []) add(key, true);
  for (const key of spec.extra ?? []) add(key);
  for (const path of Object.values(spec.listSpec.ordering))
    if (path !== '_id') add({ [path]: 1, _id: 1 });
  for (const filter of spec.listSpec.filters) {
    const path = filter.path ?? filter.name;
    if (path !== '_id') add({ [path]: 1 });
  }
  return out;
}

export function catalogModels(connection: Connection): Record<CollectionName, Model<never>> {
  const models = {} as Record<CollectionName, Model<never>>;
  for (const spec of COLLECTIONS) {
    let model = connection.models[spec.model] as Model<never> | undefined;
    if (!model) {
      const schema = new Schema(
        { _id: Number },
        { strict: false, versionKey: false, collection: spec.collection, autoIndex: false },
      );
      for (const { key, unique } of indexesFor(spec))
        schema.index(key, unique ? { unique: true } : {});
      model = connection.model(spec.model, schema) as unknown as Model<never>;
    }
    models[spec.collection as CollectionName] = model;
  }
  return models;
}

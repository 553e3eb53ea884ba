import type { Connection, Model } from 'mongoose';
import type {
  CatalogRepositories,
  ChangeLog,
  CommandDoc,
  CredentialSetDoc,
  DeviceDoc,
  InterfaceDoc,
  IpAddressDoc,
  ObjectChangeDoc,
  ParsingTemplateDoc,
  PlatformDoc,
  Repository,
  SiteDoc,
  VlanDoc,
} from '@toolkit/catalog-domain';
import type { MongoDatabase } from '@toolkit/mongo';
import { SequenceAllocator } from '@toolkit/mongo';
import { catalogModels } from './catalog.schema';
import { MongoRepository } from './mongo.repository';
import { MongoOutbox, outboxModel } from './outbox.repository';
import { MongoWriteJournal, writeJournalModel } from './write-journal.repository';

export interface CatalogStore {
  repositories: CatalogRepositories;
  objectChanges: Repository<ObjectChangeDoc>;
  changeLog: ChangeLog;
  outbox: MongoOutbox;
  journal: MongoWriteJournal;
}

export interface CatalogStoreOptions {
  /**
   * How long a list query's ordered ids may serve pages and counts (ListCache); writes of
   * this process invalidate at once, this bounds how late other replicas' writes show in
   * lists. 0 = no cache.
   */
  listCacheTtlMs?: number;
}

/** The catalog's repositories over one connection (the catalog's own database). */
export function createCatalogStore(
  connection: Connection,
  options: CatalogStoreOptions = {},
): CatalogStore {
  const cache = { ttlMs: options.listCacheTtlMs ?? 0 };
  const models = catalogModels(connection);
  const sequences = new SequenceAllocator(connection);
  // Change records are many and never need dense ids: reserve them in blocks.
  const changeSequences = new SequenceAllocator(connection, 100);
  const repo = <D extends { _id: number }>(name: keyof typeof models, sequence: string) =>
    new MongoRepository<D>(models[name], sequences, sequence, cache);
  const objectChanges = new MongoRepository<ObjectChangeDoc>(
    models.object_changes,
    changeSequences,
    'catalog.object_change',
    cache,
  );
  const journal = new MongoWriteJournal(writeJournalModel(connection));
  const outbox = new MongoOutbox(outboxModel(connection), journal);
  return {
    repositories: {
      platforms: repo<PlatformDoc>('platforms', 'catalog.platform'),
      sites: repo<SiteDoc>('sites', 'catalog.site'),
      devices: repo<DeviceDoc>('devices', 'catalog.device'),
      interfaces: repo<InterfaceDoc>('interfaces', 'catalog.interface'),
      vlans: repo<VlanDoc>('vlans', 'catalog.vlan'),
      ipAddresses: repo<IpAddressDoc>('ip_addresses', 'catalog.ip_address'),
      commands: repo<CommandDoc>('commands', 'catalog.command'),
      credentialSets: repo<CredentialSetDoc>('credential_sets', 'catalog.credential_set'),
      parsingTemplates: repo<ParsingTemplateDoc>('parsing_templates', 'catalog.parsing_template'),
      allocateVariableIds: (count) =>
        count === 0 ? Promise.resolve([]) : sequences.take('catalog.command_variable', count),
    },
    objectChanges,
    changeLog: {
      // A change and its event share an id: the outbox is published in change order.
      record: async (changes, { events, correlationId, txn }) => {
        if (changes.length === 0) return;
        const ids = await objectChanges.allocateIds(changes.length);
        // Both settle before an error is answered: a rollback then finds all that was stored.
        const stored = await Promise.allSettled([
          outbox.add(
            events.map((event, i) => ({
              _id: ids[i] as number,
              event,
              correlation_id: correlationId ?? null,
              txn: txn ?? null,
            })),
          ),
          objectChanges.insertMany(changes.map((c, i) => ({ ...c, _id: ids[i] as number }))),
        ]);
        for (const outcome of stored) if (outcome.status === 'rejected') throw outcome.reason;
      },
      discard: async (txn) => {
        await Promise.all([
          outbox.discard(txn),
          models.object_changes.collection.deleteMany({ txn }),
        ]);
      },
    },
    outbox,
    journal,
  };
}

/** Creates the collections and their indexes (idempotent), as boot does. */
export async function ensureCatalogIndexes(database: MongoDatabase): Promise<void> {
  await database.ensureIndexes([
    ...Object.values(catalogModels(database.connection)),
    outboxModel(database.connection) as unknown as Model<never>,
    writeJournalModel(database.connection) as unknown as Model<never>,
  ]);
}

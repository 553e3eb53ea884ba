export {
  MongoDatabase,
  isDuplicateKey,
  isServerUnavailable,
  toStorageError,
} from './mongo-database';
export type { Connection, Model, MongoOptions } from './mongo-database';
export { SequenceAllocator } from './sequence';
export { EpochLease } from './epoch-lease';
export type { EpochLeaseOptions } from './epoch-lease';

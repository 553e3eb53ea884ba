export { createCatalogStore, ensureCatalogIndexes } from './catalog.repositories';
export type { CatalogStore } from './catalog.repositories';
export { MongoRepository } from './mongo.repository';

export { createCatalogStore, ensureCatalogIndexes } from './catalog.repositories';
export type { CatalogStore, CatalogStoreOptions } from './catalog.repositories';
export { ListCache, cacheKey } from './list-cache';
export type { ListCacheOptions } from './list-cache';
export { MongoRepository } from './mongo.repository';

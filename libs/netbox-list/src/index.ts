export {
  ALL_LOOKUPS,
  NUMERIC_LOOKUPS,
  RESERVED_PARAMETERS,
  STRING_LOOKUPS,
  defaultLookups,
} from './list-spec';
export type { FieldType, FilterField, ListSpec, Lookup } from './list-spec';
export {
  DEFAULT_LIMIT,
  MAX_LIMIT,
  allOf,
  constraintsFilter,
  escapeRegex,
  parseDateTime,
  parseFilterObject,
  parseListQuery,
  parseValue,
} from './parse-list-query';
export type { Filter, ListQuery, QueryInput, SortDirection } from './parse-list-query';
export { pageLinks, selectFields, toPage } from './page';
export type { Page } from './page';
export { bulkItems, createBodies, objectBody } from './write-bodies';

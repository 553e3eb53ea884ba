/**
 * What a list endpoint accepts: its filter fields (with the lookups NetBox allows on each
 * type), aliases kept for the original plugin's parameter names, orderable fields, the
 * fields `q` searches, and parameters it handles itself (e.g. an export's `format`).
 * One spec per resource; the OpenAPI document and the parser are both built from it.
 */
export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'datetime' | 'enum';

export const STRING_LOOKUPS = [
  'n',
  'ic',
  'nic',
  'isw',
  'nisw',
  'iew',
  'niew',
  'ie',
  'nie',
  'empty',
  'isnull',
] as const;
export const NUMERIC_LOOKUPS = ['n', 'gt', 'gte', 'lt', 'lte', 'isnull'] as const;
export const ALL_LOOKUPS = [
  'n',
  'ic',
  'nic',
  'isw',
  'nisw',
  'iew',
  'niew',
  'ie',
  'nie',
  'gt',
  'gte',
  'lt',
  'lte',
  'empty',
  'isnull',
] as const;
export type Lookup = (typeof ALL_LOOKUPS)[number];

export interface FilterField {
  /** Query parameter name (NetBox's field name). */
  name: string;
  /** Dotted path in the stored document; defaults to `name`. */
  path?: string;
  type: FieldType;
  /** For enums. */
  choices?: readonly string[];
  /** Lookups allowed besides exact; defaults by type. */
  lookups?: readonly Lookup[];
  description?: string;
}

export interface ListSpec {
  filters: readonly FilterField[];
  /** Alternative parameter names: `name_icontains` -> `name__ic`, `created_after` -> `created__gte`. */
  aliases?: Readonly<Record<string, string>>;
  /** Public ordering name -> document path. */
  ordering: Readonly<Record<string, string>>;
  /** Applied when the caller gives none; `-` prefix for descending. */
  defaultOrdering: readonly string[];
  /** Document paths that `q` searches (case-insensitive substring, OR). */
  search?: readonly string[];
  /** Parameters the endpoint reads itself; accepted and handed back untouched. */
  passthrough?: readonly string[];
  defaultLimit?: number;
  maxLimit?: number;
}

export function defaultLookups(type: FieldType): readonly Lookup[] {
  switch (type) {
    case 'string':
      return STRING_LOOKUPS;
    case 'enum':
      return ['n', 'empty', 'isnull'];
    case 'integer':
    case 'number':
    case 'datetime':
      return NUMERIC_LOOKUPS;
    case 'boolean':
      return ['n', 'isnull'];
  }
}

/** Parameters every list endpoint understands (NetBox's, plus what its clients send). */
export const RESERVED_PARAMETERS = [
  'limit',
  'offset',
  'ordering',
  'brief',
  'fields',
  'omit',
  'q',
  'format',
  'exclude',
] as const;

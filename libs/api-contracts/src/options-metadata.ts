import { z } from 'zod';
import type { Choice } from './catalog/common.api';

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  maxLength?: number;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  format?: string;
  items?: JsonSchema;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
}

/** A choice's value and label (DRF `choices` metadata: `{value, display_name}`). */
export type MetadataChoice = Choice;

/**
 * DRF's OPTIONS metadata, which pynetbox's `choices()` reads: every writable field of the
 * write schema under `actions.POST`, with `choices` (`{value, display_name}`) for choice
 * fields (`multiple choice` for lists of choices). Built from the same zod schema that
 * validates the POST.
 */
export function optionsMetadata(
  name: string,
  schema: z.ZodType,
  labels: Readonly<Record<string, readonly MetadataChoice[]>> = {},
  /** DRF names the write a view offers: POST on a list, PUT on a detail. */
  action: 'POST' | 'PUT' = 'POST',
): Record<string, unknown> {
  const root = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
  // Schemas registered with an id (`.meta({ id })`) come out as a `$ref` into `$defs`.
  const resolve = (s: JsonSchema): JsonSchema =>
    s.$ref?.startsWith('#/$defs/') ? (root.$defs?.[s.$ref.slice(8)] ?? s) : s;
  const json = resolve(root);
  const required = new Set(json.required ?? []);
  const post: Record<string, unknown> = {};
  for (const [field, property] of Object.entries(json.properties ?? {})) {
    const base = resolve(nonNull(resolve(property)));
    const values = choiceValues(base);
    const listValues = values
      ? undefined
      : base.items && choiceValues(resolve(nonNull(resolve(base.items))));
    const entry: Record<string, unknown> = {
      type: values ? 'choice' : listValues ? 'multiple choice' : typeName(base),
      required: required.has(field),
      read_only: false,
      label: field.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase()),
    };
    if (base.maxLength !== undefined) entry['max_length'] = base.maxLength;
    if (base.minimum !== undefined) entry['min_value'] = base.minimum;
    if (base.maximum !== undefined && base.maximum < Number.MAX_SAFE_INTEGER)
      entry['max_value'] = base.maximum;
    const choices = values ?? listValues;
    if (choices) {
      const known = labels[field];
      entry['choices'] = choices.map((value) => ({
        value,
        display_name: known?.find((c) => c.value === value)?.label ?? String(value),
      }));
    }
    post[field] = entry;
  }
  return {
    name,
    description: '',
    renders: ['application/json'],
    parses: ['application/json'],
    actions: { [action]: post },
  };
}

function choiceValues(schema: JsonSchema): unknown[] | undefined {
  return schema.enum ?? (schema.const !== undefined ? [schema.const] : undefined);
}

/**
 * The field's schema without its `null` option. Of a union, a literal that widens a type
 * (`'' | email`) gives way to the type; different types (`object | array`) are JSON.
 */
function nonNull(schema: JsonSchema): JsonSchema {
  const options = (schema.anyOf ?? schema.oneOf)?.filter((o) => o.type !== 'null');
  if (!options || options.length === 0) return schema;
  const typed = options.filter((o) => choiceValues(o) === undefined);
  if (typed.length === 0) return { enum: options.flatMap((o) => choiceValues(o) ?? []) };
  if (typed.length === 1) return typed[0] as JsonSchema;
  return { type: 'json' };
}

function typeName(schema: JsonSchema): string {
  if (schema.format === 'email') return 'email';
  if (schema.format === 'date-time') return 'datetime';
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'integer':
      return 'integer';
    case 'number':
      return 'float';
    case 'boolean':
      return 'boolean';
    case 'array':
      return 'list';
    case 'object':
      return 'nested object';
    case 'json':
      return 'json';
    default:
      return 'string';
  }
}

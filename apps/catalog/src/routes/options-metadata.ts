import { z } from 'zod';
import type { Choice } from '@toolkit/api-contracts';

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
  items?: JsonSchema;
}

/**
 * DRF's OPTIONS metadata, which pynetbox's `choices()` reads: every writable field of the
 * create schema under `actions.POST`, with `choices` (`{value, display_name}`) for choice
 * fields. Built from the same zod schema that validates the POST.
 */
export function optionsMetadata(
  name: string,
  schema: z.ZodType,
  labels: Readonly<Record<string, readonly Choice[]>>,
): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
  const required = new Set(json.required ?? []);
  const post: Record<string, unknown> = {};
  for (const [field, property] of Object.entries(json.properties ?? {})) {
    const base = nonNull(property);
    const values = base.enum ?? (base.const !== undefined ? [base.const] : undefined);
    const entry: Record<string, unknown> = {
      type: values ? 'choice' : typeName(base),
      required: required.has(field),
      read_only: false,
      label: field.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase()),
    };
    if (base.maxLength !== undefined) entry['max_length'] = base.maxLength;
    if (base.minimum !== undefined) entry['min_value'] = base.minimum;
    if (base.maximum !== undefined) entry['max_value'] = base.maximum;
    if (values) {
      const known = labels[field];
      entry['choices'] = values.map((value) => ({
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
    actions: { POST: post },
  };
}

function nonNull(schema: JsonSchema): JsonSchema {
  const options = schema.anyOf ?? schema.oneOf;
  if (!options) return schema;
  return options.find((o) => o.type !== 'null') ?? schema;
}

function typeName(schema: JsonSchema): string {
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
    default:
      return 'string';
  }
}

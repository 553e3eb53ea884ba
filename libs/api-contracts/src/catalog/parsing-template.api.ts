import { z } from 'zod';
import type { ListSpec } from '@toolkit/netbox-list';
import { MAX_TEMPLATE_LENGTH } from '@toolkit/contracts';
import { parsedOutputViewSchema } from '../analytics/executions.contract';
import { nameText } from '../text';
import { CATALOG_PLATFORM_DRIVERS as PLATFORM_DRIVERS, objectMeta, timestamps } from './common.api';

/**
 * `/api/plugins/toolkit/parsing-templates/`: the TextFSM templates executions are parsed
 * with. `library` ones come from the community library (ntc-templates, installed at a
 * pinned version; read-only); `custom` ones are written through this API and take
 * precedence over the library for the same platform and command.
 */
export const PARSING_TEMPLATE_PATH = '/api/plugins/toolkit/parsing-templates/';

export const TEMPLATE_SOURCES = ['library', 'custom'] as const;
export type TemplateSource = (typeof TEMPLATE_SOURCES)[number];

/** Values of a command's `parsing_template` that are not template names. */
export const PARSING_KEYWORDS = ['auto', 'none', 'inline'] as const;

/** A template's name: a file-like word, as the library's (`cisco_ios_show_version.textfsm`). */
export const TEMPLATE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The longest pasted output `parse/` accepts (characters; the body limit, 1 MiB by default, applies too). */
export const MAX_PARSE_OUTPUT_LENGTH = 1_000_000;

const templateName = nameText(100)
  .regex(TEMPLATE_NAME_PATTERN, {
    error: 'Use letters, digits, ".", "_" and "-" (starting with a letter or digit).',
  })
  .refine((name) => !(PARSING_KEYWORDS as readonly string[]).includes(name.toLowerCase()), {
    error: 'This name is reserved.',
  });

/** An index `Command` cell: a Python regex matched at the start, `sh[[ow]]` completions. */
const commandPattern = nameText(500, 0);

export const parsingTemplateCreateSchema = z.object({
  name: templateName,
  description: z.string().max(2_000).optional(),
  /** The executor platform whose executions it parses. */
  platform: z.enum(PLATFORM_DRIVERS),
  /**
   * The commands it parses when a command's `parsing_template` is `auto`, written as the
   * library's index writes them (`sh[[ow]] ver[[sion]]`, a Python regex matched at the
   * start of the rendered command). Empty: selected by name only.
   */
  command: commandPattern.optional(),
  /** TextFSM template text; refused, naming its line, when it does not compile. */
  text: z.string().min(1).max(MAX_TEMPLATE_LENGTH),
});
export type ParsingTemplateCreate = z.output<typeof parsingTemplateCreateSchema>;
export const parsingTemplateUpdateSchema = parsingTemplateCreateSchema.partial();

export const parsingTemplateSchema = z.object({
  ...objectMeta,
  name: z.string(),
  source: z.enum(TEMPLATE_SOURCES),
  /** An executor platform (custom) or the library's platform name (`cisco_asa`, ...). */
  platform: z.string(),
  command: z.string(),
  description: z.string(),
  /** The TextFSM Value names, in template order (the parsed records' keys). */
  values: z.array(z.string()),
  text: z.string(),
  /** The library's version for library templates, null for custom ones. */
  library_version: z.string().nullable(),
  ...timestamps,
});
export type ParsingTemplateRepresentation = z.output<typeof parsingTemplateSchema>;

export const PARSING_TEMPLATE_BRIEF_FIELDS = [
  'id',
  'url',
  'display',
  'name',
  'source',
  'platform',
  'command',
] as const;

/**
 * Filters: `name`, `platform`, `source`, `description` with NetBox lookups, `q`, and
 * `command`: the templates the index would select for that command (what `auto` picks,
 * the first of them; several when `platform` is not given). Both sources are listed
 * together.
 */
export const parsingTemplateListSpec: ListSpec = {
  filters: [
    { name: 'id', path: '_id', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'platform', type: 'string' },
    { name: 'source', type: 'enum', choices: TEMPLATE_SOURCES },
    { name: 'description', type: 'string' },
    { name: 'created', type: 'datetime' },
    { name: 'last_updated', type: 'datetime' },
  ],
  aliases: {},
  ordering: {
    id: '_id',
    name: 'name',
    platform: 'platform',
    source: 'source',
    created: 'created',
    last_updated: 'last_updated',
  },
  defaultOrdering: ['name'],
  search: ['name', 'platform', 'command', 'description'],
  passthrough: ['command'],
};

/**
 * `POST parse/`: one of `template` (inline text), `template_name`, or `platform` with
 * `command` (the index lookup `auto` makes), applied to pasted `output`.
 */
export const parseRequestSchema = z
  .object({
    output: z.string().max(MAX_PARSE_OUTPUT_LENGTH),
    template: z.string().min(1).max(MAX_TEMPLATE_LENGTH).optional(),
    template_name: z.string().min(1).max(100).optional(),
    platform: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[a-z0-9_]+$/, { error: 'A platform name such as cisco_ios.' })
      .optional(),
    command: nameText(4_096).optional(),
  })
  .superRefine((body, ctx) => {
    const lookup = body.platform !== undefined || body.command !== undefined;
    const given = [body.template !== undefined, body.template_name !== undefined, lookup];
    if (given.filter(Boolean).length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['non_field_errors'],
        message: 'Give exactly one of template, template_name, or platform with command.',
      });
      return;
    }
    if (lookup && body.platform === undefined)
      ctx.addIssue({ code: 'custom', path: ['platform'], message: 'This field is required.' });
    if (lookup && body.command === undefined)
      ctx.addIssue({ code: 'custom', path: ['command'], message: 'This field is required.' });
  });
export type ParseRequest = z.output<typeof parseRequestSchema>;

/** The records, as in an execution's `parsed_output`, with the template's Value names. */
export const parseResponseSchema = parsedOutputViewSchema.extend({
  header: z.array(z.string()),
});
export type ParseResponse = z.output<typeof parseResponseSchema>;

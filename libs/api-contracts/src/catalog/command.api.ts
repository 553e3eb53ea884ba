import { z } from 'zod';
import { MAX_TEMPLATE_LENGTH } from '@toolkit/contracts';
import { nameText } from '../text';
import type { ListSpec } from '@toolkit/netbox-list';
import {
  CATALOG_COMMAND_TYPES as COMMAND_TYPES,
  commonFilters,
  commonOrdering,
  idSchema,
  nestedPlatformSchema,
  objectMeta,
  taggable,
  timestampAliases,
  timestamps,
  writableTaggable,
} from './common.api';

/** `/api/plugins/toolkit/commands/` */
export const COMMAND_PATH = '/api/plugins/toolkit/commands/';

export const COMMAND_TYPE_CHOICES = [
  { value: 'show', label: 'Show Command' },
  { value: 'config', label: 'Configuration Command' },
] as const;

export const VARIABLE_TYPES = [
  'text',
  'netbox_interface',
  'netbox_vlan',
  'netbox_vlan_name',
  'netbox_ip',
] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];
export const VARIABLE_TYPE_CHOICES = [
  { value: 'text', label: 'Text' },
  { value: 'netbox_interface', label: 'Device Interface' },
  { value: 'netbox_vlan', label: 'VLAN (VID)' },
  { value: 'netbox_vlan_name', label: 'VLAN (name)' },
  { value: 'netbox_ip', label: 'Device IP Address' },
] as const;

export const VARIABLE_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]*$/;
export const MAX_VARIABLE_VALUE_LENGTH = 500;

export const commandVariableInputSchema = z.object({
  name: nameText(100),
  display_name: nameText(200, 0).optional(),
  variable_type: z.enum(VARIABLE_TYPES).optional(),
  required: z.boolean().optional(),
  help_text: z.string().max(1_000).optional(),
  default_value: z.string().max(200).optional(),
  /**
   * Whether values may contain the device platform's command operators (pipes,
   * redirections, separators, shell syntax on Linux). Off by default: a show-only user
   * must not turn `show run | include <x>` into `... | redirect tftp://...`.
   */
  allow_operators: z.boolean().optional(),
});
export type CommandVariableInput = z.output<typeof commandVariableInputSchema>;

export const commandCreateSchema = z.object({
  name: nameText(100),
  command: z.string().min(1).max(4_096),
  description: z.string().max(2_000).optional(),
  platforms: z.array(idSchema).min(1).max(1_000),
  command_type: z.enum(COMMAND_TYPES).optional(),
  /**
   * How the output is parsed: `auto` (the default for show commands: the template the
   * index selects for the device's platform and the rendered command, custom templates
   * first), the name of a library or custom template, inline TextFSM text, or null /
   * `none` (not parsed; the default for config commands).
   */
  parsing_template: z.string().max(MAX_TEMPLATE_LENGTH).nullable().optional(),
  variables: z.array(commandVariableInputSchema).max(100).optional(),
  ...writableTaggable,
});
export type CommandCreate = z.output<typeof commandCreateSchema>;
export const commandUpdateSchema = commandCreateSchema.partial();

export const commandVariableSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  display_name: z.string(),
  variable_type: z.enum(VARIABLE_TYPES),
  required: z.boolean(),
  help_text: z.string(),
  default_value: z.string(),
  allow_operators: z.boolean(),
});

export const commandSchema = z.object({
  ...objectMeta,
  name: z.string(),
  command: z.string(),
  description: z.string(),
  platforms: z.array(nestedPlatformSchema),
  command_type: z.enum(COMMAND_TYPES),
  parsing_template: z.string().nullable(),
  variables: z.array(commandVariableSchema),
  ...taggable,
  ...timestamps,
});
export const commandBriefSchema = z.object({
  ...objectMeta,
  name: z.string(),
  command_type: z.enum(COMMAND_TYPES),
  platforms: z.array(nestedPlatformSchema),
});
export const COMMAND_BRIEF_FIELDS = [
  'id',
  'url',
  'display',
  'name',
  'command_type',
  'platforms',
] as const;

export const commandListSpec: ListSpec = {
  filters: [
    ...commonFilters({ taggable: true }),
    { name: 'name', type: 'string' },
    { name: 'description', type: 'string' },
    { name: 'command', type: 'string' },
    { name: 'command_type', type: 'enum', choices: COMMAND_TYPES },
    { name: 'platforms', path: 'platforms.id', type: 'integer' },
    { name: 'platform_id', path: 'platforms.id', type: 'integer' },
    { name: 'platforms__slug', path: 'platforms.slug', type: 'string' },
  ],
  aliases: {
    ...timestampAliases,
    // The original's real filter names, and the names its documentation promised.
    platform_slug: 'platforms__slug__ic',
    name_icontains: 'name__ic',
    description_icontains: 'description__ic',
    name__icontains: 'name__ic',
    description__icontains: 'description__ic',
  },
  ordering: { ...commonOrdering, name: 'name', command_type: 'command_type' },
  defaultOrdering: ['name'],
  search: ['name', 'command', 'description'],
};

/** `POST {id}/validate-variables/` */
export const validateVariablesRequestSchema = z.object({
  device_id: idSchema,
  variables: z.record(z.string(), z.string()).optional(),
});

/** Per-variable problem: what was given and the closest valid values. */
export const variableProblemSchema = z.object({
  variable_type: z.enum(VARIABLE_TYPES).nullable(),
  provided_value: z.string().nullable(),
  error_type: z.enum(['missing', 'unknown_variable', 'invalid_value', 'netbox_data_validation']),
  message: z.string(),
  suggestions: z.array(z.string()),
});

export const validateVariablesResponseSchema = z.object({
  valid: z.boolean(),
  rendered_command: z.string().nullable(),
  /** DRF-style messages per variable name. */
  errors: z.record(z.string(), z.array(z.string())),
  validation_details: z.record(z.string(), variableProblemSchema),
});

/** `GET {id}/variable-choices/?device_id=N` */
export const variableChoiceSchema = z.object({
  value: z.string(),
  display: z.string(),
  id: z.number().int(),
  enabled: z.boolean().optional(),
  name: z.string().optional(),
  vid: z.number().int().optional(),
  status: z.string().optional(),
});
export const variableChoicesResponseSchema = z.object({
  device_id: z.number().int(),
  device_name: z.string(),
  command_id: z.number().int(),
  command_name: z.string(),
  variables: z.record(
    z.string(),
    z.object({
      type: z.enum(VARIABLE_TYPES),
      display_name: z.string(),
      required: z.boolean(),
      choices: z.array(variableChoiceSchema).nullable(),
      help_text: z.string(),
      default_value: z.string(),
    }),
  ),
});

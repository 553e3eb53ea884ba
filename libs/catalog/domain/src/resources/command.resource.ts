import {
  COMMAND_BRIEF_FIELDS,
  commandCreateSchema,
  commandSchema,
  commandListSpec,
  commandUpdateSchema,
} from '@toolkit/api-contracts';
import type { CommandCreate } from '@toolkit/api-contracts';
import { AppError } from '@toolkit/errors';
import { checkCommandDefinition } from '../command-rules';
import type { CommandDoc } from '../entities';
import { parsingSetting } from '../parsing-templates';
import { PATHS, namedBrief, normaliseTags, objectUrl } from '../presenters';
import { resolveRefs } from '../references';
import type { ResourceDefinition } from '../resource-service';
import type { CommandVariable } from '../variable-rendering';
import { taggable, taggableInput, timestamps, namedRef } from './shared';
import type { ResourceEnv } from './shared';

export function commandResource({
  repos,
  deps,
}: ResourceEnv): ResourceDefinition<CommandDoc, CommandCreate> {
  return {
    entity: 'command',
    objectType: 'toolkit.command',
    label: 'command',
    path: PATHS.command,
    listSpec: commandListSpec,
    briefFields: COMMAND_BRIEF_FIELDS,
    createSchema: commandCreateSchema,
    representation: commandSchema,
    patchSchema: commandUpdateSchema,
    repository: repos.commands,
    toInput: (d) => ({
      name: d.name,
      command: d.command,
      description: d.description,
      platforms: d.platforms.map((p) => p.id),
      command_type: d.command_type,
      parsing_template: d.parsing_template,
      variables: d.variables.map((v) => ({
        name: v.name,
        display_name: v.display_name,
        variable_type: v.variable_type,
        required: v.required,
        help_text: v.help_text,
        default_value: v.default_value,
        allow_operators: v.allow_operators ?? false,
      })),
      ...taggableInput(d),
    }),
    build: async (input, { id, now, existing, batch }) => {
      const variablesInput = input.variables ?? [];
      const commandType = input.command_type ?? existing?.command_type ?? 'show';
      const errors = checkCommandDefinition(input.command, variablesInput, commandType);
      // Show commands are parsed with the index's pick unless told otherwise.
      const parsing =
        input.parsing_template === undefined
          ? commandType === 'show'
            ? 'auto'
            : null
          : parsingSetting(input.parsing_template).kind === 'none'
            ? null
            : input.parsing_template;
      const parsingProblem = await deps.parsingTemplates.settingProblem(parsing);
      if (parsingProblem) errors['parsing_template'] = [parsingProblem];
      if (Object.keys(errors).length > 0) throw AppError.validation(errors);
      const platforms = await resolveRefs(
        'platform',
        repos.platforms,
        batch,
        input.platforms,
        'platforms',
      );
      const keptIds = new Map((existing?.variables ?? []).map((v) => [v.name, v.id]));
      const fresh = await repos.allocateVariableIds(
        variablesInput.filter((v) => !keptIds.has(v.name)).length,
      );
      const variables: CommandVariable[] = variablesInput.map((v) => ({
        id: keptIds.get(v.name) ?? (fresh.shift() as number),
        name: v.name,
        display_name: v.display_name ?? v.name,
        variable_type: v.variable_type ?? 'text',
        required: v.required ?? true,
        help_text: v.help_text ?? '',
        default_value: v.default_value ?? '',
        allow_operators: v.allow_operators ?? false,
      }));
      return {
        doc: {
          _id: id,
          name: input.name,
          command: input.command,
          description: input.description ?? '',
          platforms: platforms.map(namedRef).sort((a, b) => a.name.localeCompare(b.name)),
          command_type: commandType,
          parsing_template: parsing,
          variables,
          tags: normaliseTags(input.tags),
          custom_fields: input.custom_fields ?? {},
          created: now,
          last_updated: now,
        },
      };
    },
    present: (d, base) => ({
      id: d._id,
      url: objectUrl(base, PATHS.command, d._id),
      display: commandDisplay(d),
      name: d.name,
      command: d.command,
      description: d.description,
      platforms: d.platforms.map((p) => namedBrief(base, PATHS.platform, p)),
      command_type: d.command_type,
      parsing_template: d.parsing_template,
      variables: d.variables.map((v) => ({ ...v, allow_operators: v.allow_operators ?? false })),
      ...taggable(d),
      ...timestamps(d),
    }),
    display: commandDisplay,
  };
}

/** `"<name> (<p1>, <p2>, <p3>, +N more)"`, or just the name without platforms (the original's display). */
export function commandDisplay(d: Pick<CommandDoc, 'name' | 'platforms'>): string {
  if (d.platforms.length === 0) return d.name;
  const names = d.platforms.slice(0, 3).map((p) => p.name);
  const more = d.platforms.length - 3;
  return `${d.name} (${names.join(', ')}${more > 0 ? `, +${more} more` : ''})`;
}

import {
  PARSING_TEMPLATE_BRIEF_FIELDS,
  PARSING_TEMPLATE_PATH,
  parsingTemplateCreateSchema,
  parsingTemplateListSpec,
  parsingTemplateSchema,
  parsingTemplateUpdateSchema,
} from '@toolkit/api-contracts';
import type { ParsingTemplateCreate } from '@toolkit/api-contracts';
import { AppError } from '@toolkit/errors';
import type { FieldErrors } from '@toolkit/errors';
import type { ParsingTemplateDoc } from '../entities';
import { MAX_CUSTOM_TEMPLATES, commandPatternProblem, templateProblem } from '../parsing-templates';
import type { ResourceDefinition } from '../resource-service';
import { blocked, rewriteRefs } from './shared';
import type { ResourceEnv } from './shared';

/**
 * Custom TextFSM templates. Library templates are listed with them (`ParsingTemplates`)
 * but never stored, so none can be changed or deleted through here. A template a command
 * names cannot be deleted; renaming one renames it in those commands.
 */
export function parsingTemplateResource({
  repos,
  deps,
}: ResourceEnv): ResourceDefinition<ParsingTemplateDoc, ParsingTemplateCreate> {
  const templates = deps.parsingTemplates;
  return {
    entity: 'parsing-template',
    objectType: 'toolkit.parsingtemplate',
    label: 'parsing template',
    path: PARSING_TEMPLATE_PATH,
    listSpec: parsingTemplateListSpec,
    briefFields: PARSING_TEMPLATE_BRIEF_FIELDS,
    createSchema: parsingTemplateCreateSchema,
    representation: parsingTemplateSchema,
    patchSchema: parsingTemplateUpdateSchema,
    repository: repos.parsingTemplates,
    toInput: (d) => ({
      name: d.name,
      description: d.description,
      platform: d.platform,
      command: d.command,
      text: d.text,
    }),
    build: async (input, { id, now, existing }) => {
      const errors: FieldErrors = {};
      if (templates.isLibraryName(input.name))
        errors['name'] = ['A library template has this name.'];
      const textProblem = templateProblem(input.text);
      if (textProblem) errors['text'] = [textProblem];
      const commandProblem = input.command ? commandPatternProblem(input.command) : undefined;
      if (commandProblem) errors['command'] = [commandProblem];
      if (Object.keys(errors).length > 0) throw AppError.validation(errors);
      if (!existing && (await repos.parsingTemplates.count({})) >= MAX_CUSTOM_TEMPLATES)
        throw AppError.validation({
          non_field_errors: [`A catalog holds at most ${MAX_CUSTOM_TEMPLATES} custom templates.`],
        });
      templates.invalidate();
      return {
        doc: {
          _id: id,
          name: input.name,
          source: 'custom',
          description: input.description ?? '',
          platform: input.platform,
          command: input.command ?? '',
          text: input.text,
          created: existing?.created ?? now,
          last_updated: now,
        },
      };
    },
    present: (d, base) => templates.present(d, base),
    display: (d) => d.name,
    uniqueKeys: [{ field: 'name', key: (d) => ({ name: d.name }), indexed: true }],
    assertDeletable: async (docs) => {
      for (const d of docs) {
        const commands = await repos.commands.count({ parsing_template: d.name });
        if (commands > 0) throw blocked('parsing template', d.name, [[commands, 'command']]);
      }
      templates.invalidate();
    },
    cascadeUpdate: async (before, after) => {
      templates.invalidate();
      if (before.name === after.name) return;
      await rewriteRefs(repos.commands, { parsing_template: before.name }, (command) => ({
        ...command,
        parsing_template: after.name,
      }));
    },
  };
}

import type { FieldErrors } from '@toolkit/errors';
import { VARIABLE_NAME_PATTERN } from '@toolkit/api-contracts';
import type { CommandVariableInput } from '@toolkit/api-contracts';

/**
 * Rules a command definition obeys (the original enforced them in its GUI form only, so
 * API-created commands went to devices with literal `<placeholders>`): every placeholder
 * has a variable, every variable a placeholder, names are identifiers, and nothing can
 * smuggle a second line into the CLI.
 */

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export function hasControlCharacters(value: string): boolean {
  return CONTROL_CHARACTERS.test(value);
}

/** `<name>` tokens of a command text: valid names (unique, in order) and malformed ones. */
export function extractPlaceholders(text: string): { names: string[]; malformed: string[] } {
  const names: string[] = [];
  const malformed: string[] = [];
  for (const match of text.matchAll(/<([^<>\s]+)>/g)) {
    const name = match[1] as string;
    if (VARIABLE_NAME_PATTERN.test(name)) {
      if (!names.includes(name)) names.push(name);
    } else if (!malformed.includes(name)) {
      malformed.push(name);
    }
  }
  return { names, malformed };
}

/** A valid identifier close to `name`: `my-var` -> `my_var`, `1st` -> `v1st`. */
export function suggestVariableName(name: string): string {
  let fixed = name.replace(/[^a-zA-Z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!/^[a-zA-Z]/.test(fixed)) fixed = `v${fixed}`;
  return fixed === 'v' ? 'var' : fixed;
}

/** A configuration snippet may span lines (entered one by one in configuration mode). */
export const MAX_CONFIG_LINES = 200;

export function checkCommandDefinition(
  command: string,
  variables: readonly CommandVariableInput[],
  commandType: 'show' | 'config' = 'show',
): FieldErrors {
  const errors: FieldErrors = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);

  if (commandType === 'config') {
    const lines = command.split('\n');
    if (lines.some(hasControlCharacters))
      add(
        'command',
        'Configuration lines must not contain control characters (lines are separated by \\n).',
      );
    else if (lines.length > MAX_CONFIG_LINES)
      add('command', `A configuration snippet has at most ${MAX_CONFIG_LINES} lines.`);
    else if (lines.some((line) => line.trim() === ''))
      add('command', 'A configuration snippet must not contain empty lines.');
  } else if (hasControlCharacters(command)) {
    add('command', 'A show command must be a single line without control characters.');
  }
  const { names, malformed } = extractPlaceholders(command);
  for (const bad of malformed)
    add(
      'command',
      `Invalid placeholder <${bad}>: a name starts with a letter and contains only letters, digits and underscores (for example <${suggestVariableName(bad)}>).`,
    );

  const seen = new Set<string>();
  for (const variable of variables) {
    if (!VARIABLE_NAME_PATTERN.test(variable.name)) {
      add(
        'variables',
        `Variable name "${variable.name}" is invalid: a name starts with a letter and contains only letters, digits and underscores (for example "${suggestVariableName(variable.name)}").`,
      );
    }
    if (seen.has(variable.name))
      add('variables', `Variable "${variable.name}" is defined more than once.`);
    seen.add(variable.name);
    const fallback = variable.default_value ?? '';
    if (hasControlCharacters(fallback) || hasControlCharacters(variable.display_name ?? ''))
      add(
        'variables',
        `Variable "${variable.name}" must not contain line breaks or control characters.`,
      );
    if (variable.variable_type === 'netbox_vlan' && fallback !== '' && !isVlanId(fallback))
      add('variables', `Default value of "${variable.name}" must be a VLAN ID between 1 and 4094.`);
  }

  const undefinedNames = names.filter((n) => !seen.has(n));
  if (undefinedNames.length > 0)
    add(
      'command',
      `Placeholders without a variable: ${undefinedNames.map((n) => `<${n}>`).join(', ')}.`,
    );
  const unused = [...seen].filter((n) => VARIABLE_NAME_PATTERN.test(n) && !names.includes(n));
  if (unused.length > 0)
    add('variables', `Variables without a placeholder in the command: ${unused.join(', ')}.`);
  return errors;
}

export function isVlanId(value: string): boolean {
  if (!/^\d{1,4}$/.test(value.trim())) return false;
  const vid = Number(value);
  return vid >= 1 && vid <= 4094;
}

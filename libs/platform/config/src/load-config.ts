import type { z } from 'zod';

/**
 * Configuration is read from the environment once, at boot, by `loadConfig`: a pure
 * function of (schema, env) that returns a frozen, typed object or throws a ConfigError
 * listing every problem by variable name. Nothing else in the code base reads
 * `process.env`.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig<S extends z.ZodType>(schema: S, env: Env): Readonly<z.output<S>> {
  const checked = check(schema, env);
  if ('problems' in checked) throw new ConfigError(checked.problems);
  return deepFreeze(checked.data);
}

/** Every problem `loadConfig` would refuse `env` for, by variable name; empty when valid. */
export function configProblems(schema: z.ZodType, env: Env): readonly string[] {
  const checked = check(schema, env);
  return 'problems' in checked ? checked.problems : [];
}

function check<S extends z.ZodType>(
  schema: S,
  env: Env,
): { data: z.output<S> } | { problems: string[] } {
  const present = withoutEmptyStrings(env);
  const result = schema.safeParse(present);
  return result.success
    ? { data: result.data }
    : { problems: result.error.issues.map((issue) => describeIssue(issue, present)) };
}

/** Boot helper for `main.ts`: prints every problem and exits with code 1. */
export function loadConfigOrExit<S extends z.ZodType>(
  schema: S,
  env: Env = process.env,
  exit: (code: number) => never = process.exit,
): Readonly<z.output<S>> {
  return orExitOnConfigError(() => loadConfig(schema, env), exit);
}

/**
 * Runs a boot step that reads configuration (`loadConfig`, files named by variables): a
 * ConfigError is printed as one fatal JSON line on stderr and the process exits with code 1.
 */
export function orExitOnConfigError<T>(
  read: () => T,
  exit: (code: number) => never = process.exit,
): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `${JSON.stringify({ level: 'fatal', msg: error.message, problems: error.problems })}\n`,
      );
      return exit(1);
    }
    throw error;
  }
}

/** An unset variable and an empty one mean the same thing: not configured. */
function withoutEmptyStrings(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue, present: Record<string, string>): string {
  const name = issue.path.map(String).join('.') || '(root)';
  const variable = issue.path[0];
  // A rule between variables (a custom issue) says itself why an unset one is needed.
  if (issue.code !== 'custom' && typeof variable === 'string' && present[variable] === undefined)
    return `${name}: required but not set`;
  return `${name}: ${issue.message}`;
}

function deepFreeze<T>(value: T): T {
  if (
    typeof value === 'object' &&
    value !== null &&
    !ArrayBuffer.isView(value) &&
    !Object.isFrozen(value)
  ) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

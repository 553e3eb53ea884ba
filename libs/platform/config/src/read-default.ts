import type { z } from 'zod';

/**
 * What a configuration schema makes of `key` when its variable is unset: the setting's
 * one default, for code that takes the setting as an optional option (tests, tools)
 * instead of declaring a second copy of it. Throws when the setting has no default.
 */
export function readDefault<S extends z.ZodObject, K extends keyof S['shape'] & string>(
  schema: S,
  key: K,
): z.output<S['shape'][K]> {
  return (schema.shape[key] as z.ZodType).parse(undefined) as z.output<S['shape'][K]>;
}

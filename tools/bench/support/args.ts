// Command-line options of the benchmark scripts: `--name value` pairs and bare `--flag`s,
// read from process.argv. A bench states its options and their defaults in its header
// comment; these only read them.

/** The value after `--name` (its first occurrence), if any. */
export function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The value after `--name`, or `fallback`. */
export function arg(name: string, fallback: string): string {
  return argValue(name) ?? fallback;
}

/** A number after `--name`, or `fallback`; anything else stops the bench with a message. */
export function numberArg(name: string, fallback: number): number {
  const text = argValue(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`${name} takes a number, not '${text}'`);
  return value;
}

/** A comma-separated list of numbers after `--name` (`--sizes 10,100`), or `fallback`. */
export function numberListArg(name: string, fallback: number[]): number[] {
  const text = argValue(name);
  if (text === undefined) return fallback;
  const values = text.split(',').map(Number);
  if (values.some((v) => !Number.isFinite(v) || v <= 0))
    throw new Error(`${name} takes positive numbers separated by commas, not '${text}'`);
  return values;
}

/** Every value given after a repeatable `--name`. */
export function argValues(name: string): string[] {
  return process.argv.flatMap((a, i) => {
    const value = process.argv[i + 1];
    return a === name && value !== undefined ? [value] : [];
  });
}

/** Whether the bare `--name` flag is on the command line. */
export function flag(name: string): boolean {
  return process.argv.includes(name);
}

/** `'K=V K2=V2'` (as `--env` takes it) as an environment record. */
export function parseEnvList(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split(/\s+(?=[A-Z_][A-Z0-9_]*=)/)
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

import { setFlagsFromString } from 'node:v8';

let guarded = false;

/**
 * Bounds catastrophic regex backtracking in this process. TextFSM templates are regular
 * expressions that users write (custom and inline templates, `parse/`) run on device
 * output; V8's backtracking engine can take exponential time on a pattern such as
 * `^(\w+\s?)+$` and would hold the event loop. With this V8 option, an execution that
 * backtracks excessively (50,000 backtracks, V8's default) is finished by V8's linear-time
 * engine instead, with the same result. Patterns that engine does not support
 * (backreferences, lookarounds) keep backtracking. Idempotent; call before serving.
 */
export function guardRegexBacktracking(): void {
  if (guarded) return;
  setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
  guarded = true;
}

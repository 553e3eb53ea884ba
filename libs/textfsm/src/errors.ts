/** Errors raised by the engine; messages match Google's Python TextFSM. */

/** Base class of every error this library throws on purpose. */
export class TextFsmBaseError extends Error {}

/** The template is malformed (Python `TextFSMTemplateError`). */
export class TextFsmTemplateError extends TextFsmBaseError {
  override readonly name = 'TextFSMTemplateError';
  constructor(
    message: string,
    /** 1-based template line the error refers to, when the reference reports one. */
    readonly line?: number,
    /** Underlying Python-regex error, for "Invalid regular expression" errors. */
    readonly detail?: string,
  ) {
    super(message);
  }
}

/** An `Error` action fired while parsing input (Python `TextFSMError`). */
export class TextFsmError extends TextFsmBaseError {
  override readonly name = 'TextFSMError';
  constructor(
    message: string,
    readonly ruleLine: number,
    readonly inputLine: string,
  ) {
    super(message);
  }
}

/**
 * A rule's regex needed more matching steps on an input line than the `sre`
 * emulation allows (catastrophic backtracking); the parse is abandoned instead
 * of hanging. Python TextFSM has no such limit (it would keep going).
 */
export class TextFsmMatchLimitError extends TextFsmError {}

/** Index (clitable) problems: malformed index, no matching row, bad merge. */
export class TextFsmIndexError extends TextFsmBaseError {
  override readonly name = 'TextFSMIndexError';
}

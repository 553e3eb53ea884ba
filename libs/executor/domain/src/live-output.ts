import type { OutputChunk } from '@toolkit/contracts';
import { OUTPUT_CHUNK_MAX_CHARS, RESULT_OUTPUT_MAX_BYTES } from '@toolkit/contracts';
import { capOutput } from './execution-result';
import { anyLine, normaliseTerminalText, trimLineEnds } from './output-analysis';
import type { PlatformDriverSpec } from './platform-drivers';

/**
 * Live output (requests with `streamOutput`): the command's output published while it is
 * read, as the result will hold it. Three pieces, none doing I/O:
 * - ShellOutputStreamer / ExecOutputStreamer turn the raw text a session reads into the
 *   text that can no longer change (a prefix of what cleanShellOutput / cleanExecOutput
 *   make of the whole), as it arrives;
 * - LiveOutput coalesces those pieces into output chunks (time and size triggers), bounds
 *   them per execution and reconciles the last one with the result's output.
 */

/** What a streamer's `finish` adds: the rest of the output, or (restart) all of it again. */
export interface StreamEnd {
  text: string;
  /** What was emitted is not a prefix of the final output: `text` is the whole output. */
  restart: boolean;
}

function endOf(emitted: string, final: string): StreamEnd {
  return final.startsWith(emitted)
    ? { text: final.slice(emitted.length), restart: false }
    : { text: final, restart: true };
}

/**
 * One interactive command's output (what `send` reads from writing the line to the
 * prompt), cleaned incrementally the way cleanShellOutput cleans the whole: `push` takes
 * raw text as it arrives and returns only text that can no longer change, so that the
 * concatenation of everything returned is always a prefix of
 * `cleanShellOutput(driver, raw, command, prompt)`:
 * - only complete raw lines are read (normalisation never crosses a raw LF);
 * - the echoed command (the first non-blank line, when it contains the command) is
 *   skipped, and blank lines before it with it;
 * - lines that could still turn out to be trailers (blank, prompt-like, `[edit]`,
 *   `{master:0}`) are held until a line that is not one follows;
 * - pager lines are dropped, line ends trimmed, and each line's separator is emitted
 *   before it (not after), once a later line is known to be kept.
 */
export class ShellOutputStreamer {
  /** Raw text after the last LF read. */
  private partial = '';
  private echoDecided = false;
  /** Blank lines before the first non-blank one (normalised, each with its LF). */
  private beforeEcho = '';
  /** Lines that may still be the trailer (normalised, each with its LF). */
  private held = '';
  private keptAny = false;
  private emitted = '';
  private readonly wanted: string;
  private readonly prompt: RegExp;

  constructor(
    private readonly driver: PlatformDriverSpec,
    command: string,
    prompt?: RegExp,
  ) {
    this.wanted = command.trim();
    this.prompt = prompt ?? driver.promptPattern;
  }

  /** Raw text as read; returns the output text it completes (often ''). */
  push(raw: string): string {
    const lf = raw.lastIndexOf('\n');
    if (lf < 0) {
      this.partial += raw;
      return '';
    }
    const block = this.partial + raw.slice(0, lf + 1);
    this.partial = raw.slice(lf + 1);
    // Ends with the block's last LF: normalising keeps every LF and never crosses one.
    const text = normaliseTerminalText(block);
    const body = this.echoDecided ? text : this.afterEcho(text);
    const out = body === '' ? '' : this.lines(body);
    this.emitted += out;
    return out;
  }

  /** The rest, once the command's cleaned output is known. */
  finish(final: string): StreamEnd {
    return endOf(this.emitted, final);
  }

  /**
   * The block's output lines (each with its LF), once the first non-blank line decides
   * where the output starts: after it when it is the echoed command (blank lines before it
   * dropped with it), else at the first line, blank ones included.
   */
  private afterEcho(text: string): string {
    for (let start = 0; start < text.length;) {
      const end = text.indexOf('\n', start);
      const line = text.slice(start, end);
      if (line.trim() === '') {
        start = end + 1;
        continue;
      }
      this.echoDecided = true;
      const before = this.beforeEcho;
      this.beforeEcho = '';
      if (this.wanted !== '' && line.includes(this.wanted)) return text.slice(end + 1);
      return before + text;
    }
    this.beforeEcho += text;
    return '';
  }

  /**
   * Complete output lines (each with its LF): all but the trailing ones that may still be
   * the trailer go out, with those held before, cleaned as cleanShellOutput cleans.
   */
  private lines(body: string): string {
    // From the end: the last line that cannot be a trailer ends what goes out now.
    let end = body.length - 1;
    for (;;) {
      const lineStart = end > 0 ? body.lastIndexOf('\n', end - 1) + 1 : 0;
      if (!this.isTrailer(body.slice(lineStart, end).trimEnd())) break;
      if (lineStart === 0) {
        this.held += body;
        return '';
      }
      end = lineStart - 1;
    }
    const out = this.held + body.slice(0, end);
    this.held = body.slice(end + 1);
    return this.keep(out);
  }

  private isTrailer(trimmed: string): boolean {
    return (
      trimmed === '' ||
      trimmed === '[edit]' ||
      /^\{[\w:]+\}$/.test(trimmed) ||
      this.prompt.test(trimmed)
    );
  }

  /** Lines (LF-separated) without pager lines and trailing blanks, after a separator. */
  private keep(lines: string): string {
    let kept: string;
    if (!anyLine(this.driver.morePattern).test(lines)) kept = trimLineEnds(lines);
    else {
      const remaining = lines
        .split('\n')
        .filter((l) => !this.driver.morePattern.test(l.trim() === '' ? '\u0000' : l));
      if (remaining.length === 0) return '';
      kept = remaining.map((l) => l.trimEnd()).join('\n');
    }
    const piece = this.keptAny ? `\n${kept}` : kept;
    this.keptAny = true;
    return piece;
  }
}

/**
 * An exec channel's stdout, as cleanExecOutput cleans the whole (CRLF to LF, no trailing
 * line feeds): `push` returns the text that can no longer change; a trailing CR (perhaps
 * half of a CRLF) and trailing LFs (perhaps the end) are held until more follows.
 */
export class ExecOutputStreamer {
  private held = '';
  private emitted = '';

  push(raw: string): string {
    let text = this.held + raw;
    let cr = '';
    if (text.endsWith('\r')) {
      cr = '\r';
      text = text.slice(0, -1);
    }
    if (text.includes('\r')) text = text.replace(/\r\n/g, '\n');
    let end = text.length;
    while (end > 0 && text.charCodeAt(end - 1) === 10) end--;
    this.held = text.slice(end) + cr;
    const out = text.slice(0, end);
    this.emitted += out;
    return out;
  }

  finish(final: string): StreamEnd {
    return endOf(this.emitted, final);
  }
}

/**
 * At most one chunk per this interval (unless OUTPUT_FLUSH_CHARS are pending): text that
 * comes after a quiet interval goes at once, text that follows a chunk closely waits for
 * the interval's end.
 */
export const OUTPUT_FLUSH_INTERVAL_MS = 100;
/** Flush at once when this many characters are pending. */
export const OUTPUT_FLUSH_CHARS = 16 * 1024;

export interface LiveOutputOptions {
  /** Best effort (an event): must not throw, never awaited. */
  publish: (chunk: OutputChunk) => void;
  /** A timer; returns a cancel function. */
  schedule: (fn: () => void, ms: number) => () => void;
  /** Milliseconds, for the interval since the last chunk (default Date.now). */
  now?: () => number;
  flushIntervalMs?: number;
  flushChars?: number;
  /** The most output (UTF-8 bytes) streamed: the result's cap. */
  maxBytes?: number;
  /** The most characters per chunk. */
  maxChunkChars?: number;
}

/**
 * One execution attempt's output chunks. `write` takes the output's next text (in order:
 * the pieces concatenate to the run's output) and publishes it coalesced: at once when
 * the last chunk is at least `flushIntervalMs` old (the first line of a slow command is
 * not held back), otherwise when `flushChars` are pending or the interval ends, whichever
 * comes first, in chunks of at most `maxChunkChars`. At `maxBytes` of output
 * (the result's cap, where the result's output is cut too) the stream ends there (`last`)
 * and later text is ignored. `finish` takes the result's output: what it adds beyond the
 * streamed text goes out as the last chunk(s), or, when the streamed text is not its
 * prefix (a failed run reports its raw partial output), the whole output again from
 * offset 0. Publishing never blocks and never throws to the caller.
 */
export class LiveOutput {
  private written = '';
  private writtenBytes = 0;
  private pending = '';
  private published = 0;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private cancelTimer: (() => void) | undefined;
  private capped = false;
  private finished = false;
  private readonly flushIntervalMs: number;
  private readonly flushChars: number;
  private readonly maxBytes: number;
  private readonly maxChunkChars: number;

  constructor(private readonly options: LiveOutputOptions) {
    this.flushIntervalMs = options.flushIntervalMs ?? OUTPUT_FLUSH_INTERVAL_MS;
    this.flushChars = options.flushChars ?? OUTPUT_FLUSH_CHARS;
    this.maxBytes = options.maxBytes ?? RESULT_OUTPUT_MAX_BYTES;
    this.maxChunkChars = Math.min(
      options.maxChunkChars ?? OUTPUT_CHUNK_MAX_CHARS,
      OUTPUT_CHUNK_MAX_CHARS,
    );
  }

  /** Characters published so far (the next chunk's offset). */
  get offset(): number {
    return this.published;
  }

  /** The stream reached `maxBytes` and ended there. */
  get truncated(): boolean {
    return this.capped;
  }

  write(text: string): void {
    if (this.capped || this.finished || text === '') return;
    const bytes = Buffer.byteLength(text, 'utf8');
    let accepted = text;
    if (this.writtenBytes + bytes > this.maxBytes) {
      accepted = capOutput(text, this.maxBytes - this.writtenBytes);
      this.capped = true;
    }
    this.writtenBytes += accepted === text ? bytes : Buffer.byteLength(accepted, 'utf8');
    this.written += accepted;
    this.pending += accepted;
    if (this.capped) {
      this.flush({ last: true });
      return;
    }
    const now = (this.options.now ?? Date.now)();
    const quiet = now - this.lastFlushAt;
    if (
      this.pending.length >= this.flushChars ||
      (this.cancelTimer === undefined && quiet >= this.flushIntervalMs)
    )
      this.flush();
    else
      this.cancelTimer ??= this.options.schedule(
        () => {
          this.cancelTimer = undefined;
          if (!this.finished && !this.capped) this.flush();
        },
        Math.max(0, this.flushIntervalMs - quiet),
      );
  }

  /** The attempt's output as its result holds it: publishes the rest, marked `last`. */
  finish(final: string): void {
    if (this.finished) return;
    this.finished = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.capped) {
      if (final === this.written) return;
    } else if (final.startsWith(this.written)) {
      this.pending += final.slice(this.written.length);
      this.written = final;
      this.flush({ last: true });
      return;
    }
    // Not a continuation of what was streamed: the whole output again, from offset 0.
    this.written = final;
    this.pending = final;
    this.published = 0;
    this.flush({ last: true });
  }

  /** Publishes what is pending; `last` marks the final piece (published even when empty). */
  private flush({ last }: { last: boolean } = { last: false }): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.lastFlushAt = (this.options.now ?? Date.now)();
    let text = this.pending;
    this.pending = '';
    if (text === '' && !last) return;
    do {
      let size = Math.min(text.length, this.maxChunkChars);
      // Never a surrogate pair split across two chunks.
      if (size < text.length && isHighSurrogate(text.charCodeAt(size - 1))) size--;
      const piece = text.slice(0, size);
      text = text.slice(size);
      const chunk: OutputChunk = { offset: this.published, text: piece };
      if (last && text === '') chunk.last = true;
      this.published += piece.length;
      try {
        this.options.publish(chunk);
      } catch {
        // Best effort, like every event: the result carries the output anyway.
      }
    } while (text !== '');
  }
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

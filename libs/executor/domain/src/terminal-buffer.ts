import { normaliseTerminalText } from './output-analysis';

/** How much of the last raw line prompt detection reads (a prompt is far shorter). */
const LAST_LINE_WINDOW = 2_048;
/** How much of the newest raw text a pager prompt is looked for in. */
const RECENT_WINDOW = 40;

/**
 * The raw text a shell sent since the last command was written. Prompt and pager
 * detection run on every chunk received, so what they read (the text after the last line
 * feed, the newest characters, whether a line break arrived) is kept up to date per chunk
 * at the cost of the chunk alone: a large output is not scanned again for each chunk.
 */
export class TerminalBuffer {
  private text = '';
  private tail = '';
  private newest = '';
  private lineBreak = false;

  /** Empties the buffer, then appends `keep` (e.g. the prompt line of the last command). */
  reset(keep = ''): void {
    this.text = '';
    this.tail = '';
    this.newest = '';
    this.lineBreak = false;
    if (keep !== '') this.append(keep);
  }

  append(chunk: string): void {
    this.text += chunk;
    const lf = chunk.lastIndexOf('\n');
    this.tail = lf >= 0 ? chunk.slice(lf + 1) : this.tail + chunk;
    if (this.tail.length > LAST_LINE_WINDOW) this.tail = this.tail.slice(-LAST_LINE_WINDOW);
    // A large chunk alone holds the newest characters: no copy of the whole chunk.
    this.newest =
      chunk.length >= RECENT_WINDOW
        ? chunk.slice(-RECENT_WINDOW)
        : (this.newest + chunk).slice(-RECENT_WINDOW);
    if (!this.lineBreak && (lf >= 0 || chunk.includes('\r'))) this.lineBreak = true;
  }

  /** Everything since the last reset, raw. */
  get raw(): string {
    return this.text;
  }

  /** The newest characters, raw (where a pager prompt shows). */
  get recent(): string {
    return this.newest;
  }

  /** A CR or LF arrived since the last reset. */
  get hasLineBreak(): boolean {
    return this.lineBreak;
  }

  /** The raw text after the last line feed (at most 2 KB of it). */
  get rawLastLine(): string {
    return this.tail;
  }

  /**
   * The last line as the terminal shows it. Normalising never joins or splits lines across
   * a raw LF (ANSI sequences and backspace erasure stop at it), so only the raw text after
   * the last LF is normalised.
   */
  lastLine(): string {
    const text = normaliseTerminalText(this.tail);
    const index = text.lastIndexOf('\n');
    return (index < 0 ? text : text.slice(index + 1)).trimEnd();
  }
}

/** The `--More--` pager as a pure state machine: text in, chunks out, keys advance it. */

export interface PagerStyle {
  /** Text shown when a page is full, e.g. ` --More-- ` or `---(more)---`. */
  moreText: string;
  /** Junos shows `---(more 42%)---`. */
  showPercent: boolean;
  /** IOS family: any key other than space/enter quits; Junos ignores unknown keys. */
  otherKeyQuits: boolean;
  /** How the more-prompt is erased once a key is pressed. */
  erase: 'backspace' | 'carriage-return';
}

export interface PagerStep {
  output: string;
  done: boolean;
}

export class Pager {
  private readonly lines: string[];
  private position = 0;

  /**
   * @param text output with `\n` line ends
   * @param pageLength terminal length; a page shows `pageLength - 1` lines plus the more-prompt
   */
  constructor(
    text: string,
    private readonly pageLength: number,
    private readonly style: PagerStyle,
  ) {
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    this.lines = lines;
  }

  /** True if the text fits on one page (no pager needed). */
  get fits(): boolean {
    return this.pageLength <= 0 || this.lines.length <= this.pageSize;
  }

  private get pageSize(): number {
    return Math.max(1, this.pageLength - 1);
  }

  start(): PagerStep {
    return this.emit(this.fits ? this.lines.length : this.pageSize);
  }

  press(key: string): PagerStep {
    if (key === ' ') return this.emit(this.pageSize, { eraseMore: true });
    if (key === '\r' || key === '\n') return this.emit(1, { eraseMore: true });
    if (key === 'q' || key === 'Q' || key === '\x03' || this.style.otherKeyQuits) {
      this.position = this.lines.length;
      return { output: this.eraseText(), done: true };
    }
    return { output: '', done: false };
  }

  private moreText(): string {
    if (!this.style.showPercent) return this.style.moreText;
    const percent = Math.floor((this.position / this.lines.length) * 100);
    return this.style.moreText.replace(')', ` ${percent}%)`);
  }

  private eraseText(): string {
    const n = this.moreText().length;
    if (this.style.erase === 'carriage-return') return `\r${' '.repeat(n)}\r`;
    return `${'\b'.repeat(n)}${' '.repeat(n)}${'\b'.repeat(n)}`;
  }

  /** The next `count` lines; `eraseMore` first erases the --More-- prompt shown before. */
  private emit(count: number, { eraseMore = false } = {}): PagerStep {
    const prefix = eraseMore ? this.eraseText() : '';
    const chunk = this.lines.slice(this.position, this.position + count);
    this.position += chunk.length;
    const body = chunk.map((l) => `${l}\n`).join('');
    if (this.position >= this.lines.length) return { output: prefix + body, done: true };
    return { output: prefix + body + this.moreText(), done: false };
  }
}

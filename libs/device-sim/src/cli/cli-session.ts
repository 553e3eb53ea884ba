/**
 * One CLI session (interactive shell or exec channel), transport-agnostic: bytes in via `input()`,
 * bytes out via the `SessionIO` callbacks. Handles line editing and echo, the pager, secret prompts,
 * and applies the device's faults (latency, per-byte latency, drop after N bytes, hang, random drop).
 */
import type { FaultController } from '../faults';
import type { CliContext, CommandOutcome, Platform } from '../platforms/platform';
import { newContext } from '../platforms/platform';
import type { DeviceState } from '../device-state';
import { Pager } from './pager';

export interface SessionIO {
  write(text: string): void;
  writeStderr(text: string): void;
  /** Close the channel normally with an exit status. */
  end(exitCode: number): void;
  /** Tear the connection down abruptly (fault injection). */
  drop(): void;
}

export interface TimerApi {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: TimerApi = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

type InputState = 'line' | 'busy' | 'paging' | 'secret' | 'hung' | 'closed';

/** How a command reached the session: an exec channel (one command, then exit) or the shell. */
type Channel = 'exec' | 'shell';

const CHUNK = 512;

export class CliSession {
  readonly ctx: CliContext;
  private state: InputState = 'line';
  private buffer = '';
  private typeahead = '';
  private lastWasCr = false;
  private pager: Pager | undefined;
  private secretHandler: ((ctx: CliContext, secret: string) => CommandOutcome) | undefined;
  private pendingOutcome: CommandOutcome | undefined;
  private bytesThisCommand = 0;
  private readonly timers = new Set<unknown>();

  constructor(
    private readonly platform: Platform,
    device: DeviceState,
    username: string,
    private readonly io: SessionIO,
    private readonly faults: FaultController,
    interactive = true,
    private readonly timerApi: TimerApi = realTimers,
  ) {
    this.ctx = newContext(device, platform, username, interactive);
  }

  get inputState(): InputState {
    return this.state;
  }

  /** Interactive: MOTD and first prompt. */
  start(): void {
    this.write(this.platform.motd(this.ctx.device, this.ctx.username));
    this.writePrompt();
  }

  /** Exec channel: run one command line, then close with its exit status. */
  runExec(command: string): void {
    this.state = 'busy';
    this.runCommand(command.trim(), 'exec');
  }

  close(): void {
    this.state = 'closed';
    for (const t of this.timers) this.timerApi.clearTimeout(t);
    this.timers.clear();
  }

  input(data: string): void {
    for (const ch of data) this.key(ch);
  }

  private key(ch: string): void {
    switch (this.state) {
      case 'closed':
      case 'hung':
        return;
      case 'busy':
        this.typeahead += ch;
        return;
      case 'paging':
        this.pagerKey(ch);
        return;
      default:
        break;
    }
    if (ch === '\n' && this.lastWasCr) {
      this.lastWasCr = false;
      return;
    }
    this.lastWasCr = ch === '\r';
    if (ch === '\r' || ch === '\n') {
      const line = this.buffer;
      this.buffer = '';
      this.write('\n');
      if (this.state === 'secret') {
        this.state = 'busy';
        const handler = this.secretHandler;
        this.secretHandler = undefined;
        if (handler) this.finish(handler(this.ctx, line), 'shell');
        return;
      }
      this.state = 'busy';
      this.runCommand(line, 'shell');
      return;
    }
    if (this.state === 'secret') {
      if (ch === '\x7f' || ch === '\b') this.buffer = this.buffer.slice(0, -1);
      else if (ch >= ' ') this.buffer += ch;
      return;
    }
    if (ch === '\x7f' || ch === '\b') {
      if (this.buffer.length > 0) {
        this.buffer = this.buffer.slice(0, -1);
        this.io.write('\b \b');
      }
      return;
    }
    if (ch === '\x03') {
      this.buffer = '';
      this.write(this.platform.id === 'linux' ? '^C\n' : '\n');
      this.writePrompt();
      return;
    }
    if (ch === '\x1a') {
      const outcome = this.platform.ctrlZ?.(this.ctx);
      if (outcome) {
        this.buffer = '';
        this.write(outcome.output ?? '');
        this.writePrompt();
      }
      return;
    }
    if (ch === '\x15') {
      this.io.write('\b \b'.repeat(this.buffer.length));
      this.buffer = '';
      return;
    }
    if (ch < ' ' && ch !== '\t') return;
    if (ch === '\t') ch = ' ';
    this.buffer += ch;
    this.io.write(ch);
  }

  private runCommand(line: string, channel: Channel): void {
    this.ctx.device.recordReceived(line);
    const fault = this.faults.onCommand(line);
    if (fault === 'drop') {
      this.state = 'closed';
      this.io.drop();
      return;
    }
    if (fault === 'hang') {
      this.state = 'hung';
      return;
    }
    let outcome: CommandOutcome;
    try {
      this.ctx.promptWidth =
        channel === 'exec' ? 0 : lastLine(this.platform.prompt(this.ctx)).length;
      outcome = this.platform.execute(this.ctx, line);
    } catch (error) {
      outcome = { output: `% Internal error: ${(error as Error).message}\n`, exitCode: 1 };
    }
    this.bytesThisCommand = 0;
    this.after(this.faults.commandLatencyMs, () => this.finish(outcome, channel));
  }

  /** Sends a command's result (through the pager when on), then the prompt or the channel close. */
  private finish(outcome: CommandOutcome, channel: Channel): void {
    const text = outcome.output ?? '';
    const done = (): void => {
      if (this.state === 'closed') return;
      if (channel === 'exec') {
        if (outcome.stderr) this.io.writeStderr(this.convert(outcome.stderr, 'exec'));
        this.state = 'closed';
        this.io.end(outcome.exitCode ?? 0);
        return;
      }
      if (outcome.stderr) this.write(outcome.stderr);
      if (outcome.close) {
        this.state = 'closed';
        this.io.end(0);
        return;
      }
      if (outcome.secretPrompt) {
        this.secretHandler = outcome.secretPrompt.onSecret;
        this.write(outcome.secretPrompt.prompt);
        this.state = 'secret';
        this.drainTypeahead();
        return;
      }
      this.writePrompt();
      this.state = 'line';
      this.drainTypeahead();
    };
    if (channel === 'shell' && this.ctx.paging && outcome.noPaging !== true && text.length > 0) {
      const pager = new Pager(text, this.ctx.pageLength, this.platform.pager);
      if (!pager.fits) {
        this.pager = pager;
        this.pendingOutcome = outcome;
        const step = pager.start();
        this.stream(step.output, channel, () => {
          this.state = 'paging';
          this.drainTypeahead();
        });
        return;
      }
    }
    this.stream(text, channel, done);
    void this.pendingOutcome;
  }

  private pagerKey(ch: string): void {
    const pager = this.pager;
    const outcome = this.pendingOutcome;
    if (!pager || !outcome) return;
    const step = pager.press(ch);
    if (step.output === '' && !step.done) return;
    this.state = 'busy';
    this.stream(step.output, 'shell', () => {
      if (this.state === 'closed') return;
      if (step.done) {
        this.pager = undefined;
        this.pendingOutcome = undefined;
        this.finish({ ...outcome, output: '' }, 'shell');
      } else {
        this.state = 'paging';
        this.drainTypeahead();
      }
    });
  }

  /** Writes command output honouring per-byte latency and the drop-after-N-bytes fault. */
  private stream(text: string, channel: Channel, then: () => void): void {
    if (this.state === 'closed') return;
    const data = this.convert(text, channel);
    const perByte = this.faults.latencyPerByteMs;
    const dropAfter = this.faults.dropAfterBytes;
    let offset = 0;
    const step = (): void => {
      if (this.state === 'closed') return;
      if (offset >= data.length) {
        then();
        return;
      }
      const chunk = perByte > 0 ? data.slice(offset, offset + CHUNK) : data.slice(offset);
      offset += chunk.length;
      const bytes = Buffer.byteLength(chunk);
      if (dropAfter !== undefined && this.bytesThisCommand + bytes > dropAfter) {
        const allowed = Math.max(0, dropAfter - this.bytesThisCommand);
        const partial = Buffer.from(chunk).subarray(0, allowed).toString('latin1');
        if (partial.length > 0) this.io.write(partial);
        this.state = 'closed';
        this.io.drop();
        return;
      }
      this.bytesThisCommand += bytes;
      const emit = (): void => {
        if (this.state === 'closed') return;
        this.io.write(chunk);
        step();
      };
      if (perByte > 0) this.after(bytes * perByte, emit);
      else emit();
    };
    step();
  }

  private after(ms: number, fn: () => void): void {
    if (ms <= 0) {
      fn();
      return;
    }
    const handle = this.timerApi.setTimeout(() => {
      this.timers.delete(handle);
      fn();
    }, ms);
    this.timers.add(handle);
  }

  private drainTypeahead(): void {
    if (this.typeahead.length === 0) return;
    const pending = this.typeahead;
    this.typeahead = '';
    this.input(pending);
  }

  private writePrompt(): void {
    this.write(this.platform.prompt(this.ctx));
  }

  private write(text: string): void {
    if (this.state === 'closed' || text.length === 0) return;
    this.io.write(this.convert(text, this.ctx.interactive ? 'shell' : 'exec'));
  }

  /** Line endings as the channel carries them (a shell's terminal: CR LF). */
  private convert(text: string, channel: Channel): string {
    const ending = channel === 'exec' ? this.platform.execLineEnding : '\r\n';
    return ending === '\n' ? text : text.replace(/\r?\n/g, '\r\n');
  }
}

function lastLine(text: string): string {
  const idx = text.lastIndexOf('\n');
  return idx < 0 ? text : text.slice(idx + 1);
}

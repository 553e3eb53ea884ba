import type { OutputChunk } from '@toolkit/contracts';
import { OUTPUT_CHUNK_MAX_CHARS } from '@toolkit/contracts';
import { mulberry32 } from '@toolkit/prng';
import { capOutput } from './execution-result';
import { ExecOutputStreamer, LiveOutput, ShellOutputStreamer } from './live-output';
import { cleanExecOutput, cleanShellOutput } from './output-analysis';
import { PLATFORM_DRIVER_TABLE, driverFor } from './platform-drivers';
import type { PlatformDriverSpec } from './platform-drivers';

const drivers: PlatformDriverSpec[] = Object.values(PLATFORM_DRIVER_TABLE).filter(
  (d) => d.transport === 'shell',
);

type Next = () => number;
const pick = <T>(next: Next, items: readonly T[]): T =>
  items[Math.floor(next() * items.length)] as T;

/** A line of device output: plain text, and now and then what the clean-up must handle. */
const CONTENT = [
  'Ethernet1/1 is up',
  '  Hardware: 100/1000/10000 Ethernet, address: 5254.0012.3401',
  'interface GigabitEthernet0/1   ',
  ' description uplink\t',
  'Vlan1',
  '%',
  ':',
  'x',
  '\u001b[7mreverse\u001b[0m video',
  'bold\u001b[K',
  'typo\b\b\b\bfixed',
  'progress 10%\rprogress 100%',
  'spinner \r',
  '\u00a0nbsp line\u00a0',
  'é ü 😀 wide',
  'R1 show clock in the middle',
];

/** Lines a streamer must hold until something else follows (or drop). */
const AWKWARD = [
  '',
  '   ',
  '\t',
  'R1#',
  'R1>',
  'R1(config)#',
  'nx1# ',
  'admin@sw1> ',
  'admin@sw1# ',
  '{master:0}',
  '[edit]',
  ' --More-- ',
  '--More--',
  '---(more 40%)---',
  '---(more)---',
  '<--- More --->',
];

const PAGER_ERASE = [
  ' --More-- \b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\b',
  ' --More-- \r          \r',
  '---(more 40%)---\r                \r',
  '\u001b[7m--More--\u001b[27m\u001b[K\r\u001b[K',
];

const ENDINGS = ['\r\n', '\r\n', '\n', '\r\r\n', '\n\r'];

/** A shell's raw answer to `command`: the echo, lines, pager prompts, then a prompt. */
function rawAnswer(next: Next, command: string, prompt: string): string {
  let raw = '';
  const blanksFirst = Math.floor(next() * 3);
  for (let i = 0; i < blanksFirst; i++) raw += pick(next, ['', ' ', '\r']) + pick(next, ENDINGS);
  if (next() < 0.85) raw += `${next() < 0.3 ? 'R1#' : ''}${command}${pick(next, ENDINGS)}`;
  const lines = Math.floor(next() * 30);
  for (let i = 0; i < lines; i++) {
    if (next() < 0.15) raw += pick(next, PAGER_ERASE);
    raw += next() < 0.35 ? pick(next, AWKWARD) : pick(next, CONTENT);
    raw += pick(next, ENDINGS);
  }
  const trailers = Math.floor(next() * 3);
  for (let i = 0; i < trailers; i++) raw += pick(next, AWKWARD) + pick(next, ENDINGS);
  if (next() < 0.9) raw += prompt;
  return raw;
}

/** The differential spec's kind of text: random terminal pieces, no structure at all. */
const PIECES = [
  'a',
  'x',
  ' ',
  '\t',
  '\r',
  '\n',
  '\n',
  '\r\n',
  '\b',
  '\u001b[7m',
  '\u001b[K',
  '\u001b(B',
  'show clock',
  'R1#',
  'R1(config)#',
  'nx1# ',
  'admin@sw1> ',
  'user@host:~$ ',
  '[edit]',
  '{master:0}',
  ' --More-- ',
  '---(more 40%)---',
  ':',
  '%',
];
function garbage(next: Next): string {
  let text = '';
  for (let i = Math.floor(next() * 60); i > 0; i--) text += pick(next, PIECES);
  return text;
}

/** `raw` cut at random places (sometimes one character at a time, sometimes whole). */
function chunksOf(next: Next, raw: string): string[] {
  const chunks: string[] = [];
  const style = next();
  for (let at = 0; at < raw.length;) {
    const size = style < 0.2 ? 1 : style < 0.3 ? raw.length : 1 + Math.floor(next() * next() * 64);
    // Real chunks are decoded UTF-8: a surrogate pair never splits.
    let end = Math.min(raw.length, at + size);
    const code = raw.charCodeAt(end - 1);
    if (end < raw.length && code >= 0xd800 && code <= 0xdbff) end++;
    chunks.push(raw.slice(at, end));
    at = end;
  }
  return chunks;
}

/** Feeds the chunks; checks that the emitted text is a prefix of `final` at every step. */
function streamShell(
  driver: PlatformDriverSpec,
  chunks: string[],
  command: string,
  prompt: RegExp | undefined,
  final: string,
): { pieces: string[]; end: { text: string; restart: boolean } } {
  const streamer = new ShellOutputStreamer(driver, command, prompt);
  const pieces: string[] = [];
  let emitted = '';
  for (const chunk of chunks) {
    const piece = streamer.push(chunk);
    if (piece !== '') pieces.push(piece);
    emitted += piece;
    if (!final.startsWith(emitted)) throw new Error(`not a prefix after ${JSON.stringify(chunk)}`);
  }
  return { pieces, end: streamer.finish(final) };
}

describe('shell output streamer', () => {
  it('when random device answers arrive in random chunks, then the pieces and the rest are exactly the cleaned output', () => {
    const next = mulberry32(11);
    let streamedSomething = 0;
    for (let i = 0; i < 3_000; i++) {
      const driver = drivers[i % drivers.length] as PlatformDriverSpec;
      const command = next() < 0.8 ? 'show clock' : next() < 0.5 ? '' : 'x';
      const known = next() < 0.5;
      const prompt = known
        ? driver.promptFromBase(driver.platform === 'juniper_junos' ? 'admin@sw1' : 'R1')
        : undefined;
      const raw = rawAnswer(
        next,
        command,
        pick(next, ['R1#', 'nx1# ', 'admin@sw1> ', 'R1(config)#']),
      );
      const final = cleanShellOutput(driver, raw, command, prompt);

      const { pieces, end } = streamShell(driver, chunksOf(next, raw), command, prompt, final);

      expect({
        raw,
        driver: driver.platform,
        got: pieces.join('') + end.text,
        restart: end.restart,
      }).toEqual({
        raw,
        driver: driver.platform,
        got: final,
        restart: false,
      });
      if (pieces.length > 0) streamedSomething++;
    }
    // Most answers must stream before the end for the comparison to mean anything.
    expect(streamedSomething).toBeGreaterThan(1_500);
  });

  it('when random terminal text arrives in random chunks, then the emitted text stays a prefix and the rest completes it', () => {
    const next = mulberry32(12);
    for (let i = 0; i < 3_000; i++) {
      const driver = drivers[i % drivers.length] as PlatformDriverSpec;
      const command = next() < 0.7 ? 'show clock' : next() < 0.5 ? '' : 'x';
      const prompt = next() < 0.5 ? undefined : driver.promptFromBase('R1');
      const raw = garbage(next);
      const final = cleanShellOutput(driver, raw, command, prompt);

      const { pieces, end } = streamShell(driver, chunksOf(next, raw), command, prompt, final);

      expect([raw, pieces.join('') + end.text, end.restart]).toEqual([raw, final, false]);
    }
  });

  it('when a long output arrives, then every complete line goes out before the prompt, paged lines and trailing blanks removed', () => {
    const driver = driverFor('cisco_ios');
    const streamer = new ShellOutputStreamer(driver, 'show run', driver.promptFromBase('R1'));

    const first = streamer.push('show run\r\nline 1  \r\nline 2\r\n --More-- \b\b\b\b\b\b\b\b\b\b');
    const second = streamer.push('          \b\b\b\b\b\b\b\b\b\bline 3\r\n\r\nR1#\r\n');
    const third = streamer.push('line 4\r\n\r\nR1#');
    const final = cleanShellOutput(
      driver,
      'show run\r\nline 1  \r\nline 2\r\n --More-- \b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\bline 3\r\n\r\nR1#\r\nline 4\r\n\r\nR1#',
      'show run',
      driver.promptFromBase('R1'),
    );

    expect([first, second, third]).toEqual(['line 1\nline 2', '\nline 3', '\n\nR1#\nline 4']);
    expect(final).toBe('line 1\nline 2\nline 3\n\nR1#\nline 4');
    expect(streamer.finish(final)).toEqual({ text: '', restart: false });
  });

  it('when the first line is not the echo, then it and the blank lines before it are output', () => {
    const driver = driverFor('cisco_nxos');
    const streamer = new ShellOutputStreamer(driver, 'show clock');

    const out = streamer.push('\r\n  \r\nsomething else\r\nnext\r\n');

    expect(out).toBe('\n\nsomething else\nnext');
    expect(
      cleanShellOutput(driver, '\r\n  \r\nsomething else\r\nnext\r\nnx1# ', 'show clock'),
    ).toBe('\n\nsomething else\nnext');
  });

  it('when what was emitted is not a prefix of the final output, then finish restarts with all of it', () => {
    const streamer = new ShellOutputStreamer(driverFor('cisco_ios'), 'show clock');
    streamer.push('show clock\r\n12:00\r\nmore\r\n');

    expect(streamer.finish('something else')).toEqual({ text: 'something else', restart: true });
  });
});

describe('exec output streamer', () => {
  const EXEC_PIECES = ['a', 'line', ' ', '\r', '\n', '\n', '\r\n', '\r\r\n', '\n\n', '😀'];

  it('when random stdout arrives in random chunks, then the pieces and the rest are exactly the cleaned output', () => {
    const next = mulberry32(13);
    for (let i = 0; i < 3_000; i++) {
      let raw = '';
      for (let k = Math.floor(next() * 40); k > 0; k--) raw += pick(next, EXEC_PIECES);
      const final = cleanExecOutput(raw);
      const streamer = new ExecOutputStreamer();
      let emitted = '';
      for (const chunk of chunksOf(next, raw)) {
        emitted += streamer.push(chunk);
        expect([raw, final.startsWith(emitted)]).toEqual([raw, true]);
      }
      const end = streamer.finish(final);

      expect([raw, emitted + end.text, end.restart]).toEqual([raw, final, false]);
    }
  });

  it('when a chunk ends in a CR or line feeds, then they wait for what follows', () => {
    const streamer = new ExecOutputStreamer();

    expect(streamer.push('a\r')).toBe('a');
    expect(streamer.push('\nb\n\n')).toBe('\nb');
    expect(streamer.push('c')).toBe('\n\nc');
    expect(streamer.finish('a\nb\n\nc')).toEqual({ text: '', restart: false });
  });
});

/** A fake clock: timers run when `advance` passes them. */
function fakeTimers() {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let ids = 0;
  return {
    schedule: (fn: () => void, ms: number) => {
      const id = ids++;
      timers.push({ at: now + ms, fn, id });
      return () => {
        timers = timers.filter((t) => t.id !== id);
      };
    },
    advance(ms: number) {
      now += ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)[0];
        if (!due) return;
        timers = timers.filter((t) => t !== due);
        due.fn();
      }
    },
    get pending() {
      return timers.length;
    },
    now: () => now,
  };
}

function live(options: Partial<ConstructorParameters<typeof LiveOutput>[0]> = {}) {
  const chunks: OutputChunk[] = [];
  const timers = fakeTimers();
  const output = new LiveOutput({
    publish: (c) => chunks.push(c),
    schedule: timers.schedule,
    now: timers.now,
    ...options,
  });
  const text = () => chunks.map((c) => c.text).join('');
  return { output, chunks, timers, text };
}

describe('live output coalescing', () => {
  it('when text comes after a quiet interval, then it goes at once; text that follows within 100 ms waits for the interval to end, coalesced', () => {
    const { output, chunks, timers } = live();

    output.write('a');
    timers.advance(60);
    output.write('b');
    output.write('c');
    timers.advance(39);
    expect(chunks).toEqual([{ offset: 0, text: 'a' }]);
    timers.advance(1);

    expect(chunks).toEqual([
      { offset: 0, text: 'a' },
      { offset: 1, text: 'bc' },
    ]);
    expect(timers.pending).toBe(0);
  });

  it('when 16 Ki characters are pending, then they go out at once and the timer is cancelled', () => {
    const { output, chunks, timers } = live();

    output.write('w');
    output.write('x'.repeat(10_000));
    output.write('y'.repeat(7_000));

    expect(chunks).toEqual([
      { offset: 0, text: 'w' },
      { offset: 1, text: 'x'.repeat(10_000) + 'y'.repeat(7_000) },
    ]);
    expect(timers.pending).toBe(0);
    output.write('z');
    timers.advance(100);
    expect(chunks[2]).toEqual({ offset: 17_001, text: 'z' });
  });

  it('when one piece is larger than a chunk may be, then it goes in chunks of at most the maximum, pairs kept whole', () => {
    const { output, chunks, text } = live();
    const big = 'a'.repeat(OUTPUT_CHUNK_MAX_CHARS - 1) + '😀' + 'b'.repeat(70_000);

    output.write(big);

    expect(chunks.map((c) => [c.offset, c.text.length])).toEqual([
      [0, OUTPUT_CHUNK_MAX_CHARS - 1],
      [OUTPUT_CHUNK_MAX_CHARS - 1, OUTPUT_CHUNK_MAX_CHARS],
      [2 * OUTPUT_CHUNK_MAX_CHARS - 1, big.length - 2 * OUTPUT_CHUNK_MAX_CHARS + 1],
    ]);
    expect(text()).toBe(big);
  });

  it('when the run ends, then what is pending and the rest of the result output go out as the last chunk', () => {
    const { output, chunks, timers } = live();
    output.write('line 1');
    timers.advance(50);
    output.write('\nline 2');

    output.finish('line 1\nline 2\nline 3\n% stderr');

    expect(chunks).toEqual([
      { offset: 0, text: 'line 1' },
      { offset: 6, text: '\nline 2\nline 3\n% stderr', last: true },
    ]);
    expect(timers.pending).toBe(0);
  });

  it('when nothing was output, then finish still marks the end', () => {
    const { output, chunks } = live();

    output.finish('');

    expect(chunks).toEqual([{ offset: 0, text: '', last: true }]);
  });

  it('when the result output does not continue the streamed text, then it is streamed again from offset 0', () => {
    const { output, chunks, timers } = live();
    output.write('partial');
    timers.advance(100);

    output.finish('show x\nraw partial');

    expect(chunks).toEqual([
      { offset: 0, text: 'partial' },
      { offset: 0, text: 'show x\nraw partial', last: true },
    ]);
  });

  it('when the output passes the byte cap, then the stream ends there as the result output is cut, and later text is ignored', () => {
    const { output, chunks, text, timers } = live({ maxBytes: 10, flushChars: 4 });
    const full = 'abcdeé€fghij';

    output.write('abc');
    output.write('deé€f');
    output.write('ghij');
    timers.advance(1_000);
    output.finish(capOutput(full, 10));

    expect(text()).toBe(capOutput(full, 10));
    expect(text()).toBe('abcdeé€');
    expect(chunks.at(-1)?.last).toBe(true);
    expect(chunks.filter((c) => c.last)).toHaveLength(1);
    expect(output.truncated).toBe(true);
  });

  it('when random writes pass the cap, then the streamed text is exactly the result output cut there', () => {
    const next = mulberry32(14);
    for (let i = 0; i < 500; i++) {
      const { output, chunks, text, timers } = live({
        maxBytes: Math.floor(next() * 200),
        flushChars: 1 + Math.floor(next() * 50),
      });
      let full = '';
      for (let k = Math.floor(next() * 30); k > 0; k--) {
        const piece = pick(next, ['a', 'bb', 'é', '€€', '😀', 'line\n', '']).repeat(
          1 + Math.floor(next() * 5),
        );
        full += piece;
        output.write(piece);
        if (next() < 0.3) timers.advance(100);
      }
      const final = capOutput(full, output['maxBytes']);
      output.finish(final);

      expect([full, text()]).toEqual([full, final]);
      let offset = 0;
      for (const c of chunks) {
        expect(c.offset).toBe(offset);
        offset += c.text.length;
      }
      expect(chunks.filter((c) => c.last)).toHaveLength(1);
      expect(chunks.at(-1)?.last).toBe(true);
    }
  });

  it('when publishing throws, then the writer never sees it', () => {
    const timers = fakeTimers();
    const output = new LiveOutput({
      publish: () => {
        throw new Error('broker down');
      },
      schedule: timers.schedule,
      flushChars: 1,
    });

    expect(() => {
      output.write('abc');
      output.finish('abcdef');
    }).not.toThrow();
  });
});

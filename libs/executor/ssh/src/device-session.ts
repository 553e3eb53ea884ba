import { createHash } from 'node:crypto';
import net from 'node:net';
import { Client } from 'ssh2';
import type { ClientChannel, ConnectConfig } from 'ssh2';
import type { CommandType, DeviceCredentials, PlatformDriver } from '@toolkit/contracts';
import {
  DeviceRunError,
  ExecOutputStreamer,
  ShellOutputStreamer,
  TerminalBuffer,
  classifyConnectError,
  cleanExecOutput,
  cleanShellOutput,
  detectVendorError,
  driverFor,
  normaliseTerminalText,
} from '@toolkit/executor-domain';
import type { ConnectPhase, PlatformDriverSpec } from '@toolkit/executor-domain';
import type { HostKeyPolicy } from './host-key-policy';

export interface SessionTarget {
  host: string;
  port: number;
  platform: PlatformDriver;
  credentials: DeviceCredentials;
}

export interface ConnectOptions {
  connectTimeoutMs: number;
  /** Epoch ms by which the session must be ready (the request's); bounds the shell set-up too. */
  deadline?: number;
  hostKeys: HostKeyPolicy;
  keepaliveIntervalMs?: number;
}

export interface CommandOutput {
  output: string;
  exitCode: number | null;
  stderr: string;
}

/** Sessions are reusable only by the same device, platform and credentials. */
export function sessionKeyOf(target: SessionTarget): string {
  const c = target.credentials;
  const secret = createHash('sha256')
    .update(
      [
        c.username,
        c.password ?? '',
        c.privateKey ?? '',
        c.passphrase ?? '',
        c.enableSecret ?? '',
      ].join('\0'),
    )
    .digest('base64');
  return `${target.host}:${target.port}|${target.platform}|${secret}`;
}

/** Opens TCP (no Nagle), then SSH; classifies failures by the phase they happened in. */
export function connectSsh(
  target: SessionTarget,
  options: ConnectOptions,
): Promise<{ client: Client; connectMs: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let phase: ConnectPhase = 'tcp';
    let settled = false;
    const client = new Client();
    const socket = net.connect({ host: target.host, port: target.port });
    socket.setNoDelay(true);
    const fail = (error: { code?: unknown; level?: unknown; message?: unknown }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const c = classifyConnectError(error, phase);
      socket.destroy();
      client.end();
      reject(
        new DeviceRunError({
          errorClass: c.errorClass,
          message: c.message,
          retriable: c.retriable,
          connectMs: Math.round(performance.now() - started),
        }),
      );
    };
    const timer = setTimeout(() => fail({ code: 'connect-timeout' }), options.connectTimeoutMs);
    socket.on('error', (error) => fail(error));
    client.on('error', (error) => fail(error));
    client.on('close', () =>
      fail({ code: phase === 'tcp' || phase === 'handshake' ? 'ECONNRESET' : 'closed' }),
    );
    client.on('handshake', () => {
      phase = 'auth';
    });
    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
      finish(prompts.map(() => target.credentials.password ?? ''));
    });
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.removeAllListeners('close');
      resolve({ client, connectMs: Math.round(performance.now() - started) });
    });
    socket.once('connect', () => {
      phase = 'handshake';
      const c = target.credentials;
      const config: ConnectConfig = {
        sock: socket,
        username: c.username,
        ...(c.password === undefined ? {} : { password: c.password }),
        ...(c.privateKey === undefined ? {} : { privateKey: c.privateKey }),
        ...(c.passphrase === undefined ? {} : { passphrase: c.passphrase }),
        tryKeyboard: c.password !== undefined,
        readyTimeout: options.connectTimeoutMs + 1_000,
        keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
        keepaliveCountMax: 3,
        hostVerifier: options.hostKeys.verifierFor(target.host, target.port),
      };
      client.connect(config);
    });
  });
}

/** Receives a run's output as it is read (see DeviceRunInput.onOutput). */
export type OutputListener = (text: string) => void;

/**
 * What a wait for the device belongs to, which decides how it fails: opening the session
 * (prompt, privilege escalation, paging off: a timeout is `connect_timeout`, the command
 * was not sent) or the requested command (`command_timeout`, the command was sent: the
 * device may have acted on it).
 */
type WaitStage = 'session' | 'command';

interface SendOptions {
  stage: WaitStage;
  /** Streams the line's output as it arrives. */
  listener?: OutputListener;
}

interface PromptOptions {
  stage: WaitStage;
  /** The prompt counts only after a line break (not the echo of the line just sent). */
  afterLineBreak?: boolean;
}

interface Waiter {
  check: () => boolean;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One SSH connection to a device: an interactive shell (prompt detection, paging off,
 * privilege escalation) for network platforms, exec channels for Linux. One command at
 * a time; any failure closes it (a session in an unknown state is never reused).
 */
export class DeviceSession {
  readonly key: string;
  readonly deviceKey: string;
  readonly driver: PlatformDriverSpec;
  private shell: ClientChannel | undefined;
  private readonly buffer = new TerminalBuffer();
  private waiter: Waiter | undefined;
  private prompt: RegExp | undefined;
  /** The command being sent streams its output (requests with `streamOutput`). */
  private streaming: { streamer: ShellOutputStreamer; listener: OutputListener } | undefined;
  private closedFlag = false;
  private readonly closeListeners: (() => void)[] = [];
  idleTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly client: Client,
    readonly target: SessionTarget,
  ) {
    this.key = sessionKeyOf(target);
    this.deviceKey = `${target.host}:${target.port}`;
    this.driver = driverFor(target.platform);
    client.on('error', () => this.close());
    client.on('close', () => this.close());
  }

  static async open(
    target: SessionTarget,
    options: ConnectOptions,
  ): Promise<{ session: DeviceSession; connectMs: number }> {
    const { client, connectMs } = await connectSsh(target, options);
    const session = new DeviceSession(client, target);
    try {
      if (session.driver.transport === 'shell') {
        const left = options.deadline === undefined ? Infinity : options.deadline - Date.now();
        await session.startShell(Math.max(1, Math.min(options.connectTimeoutMs, left)));
      }
    } catch (error) {
      session.close();
      if (error instanceof DeviceRunError) {
        throw new DeviceRunError({
          errorClass: error.errorClass,
          message: error.message,
          connectMs,
          partialOutput: error.partialOutput,
        });
      }
      throw error;
    }
    return { session, connectMs };
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Calls `listener` once when the session closes; returns an unsubscribe function. */
  onClose(listener: () => void): () => void {
    if (this.closedFlag) {
      listener();
      return () => undefined;
    }
    this.closeListeners.push(listener);
    return () => {
      const index = this.closeListeners.indexOf(listener);
      if (index >= 0) this.closeListeners.splice(index, 1);
    };
  }

  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    clearTimeout(this.idleTimer);
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('closed'));
    }
    this.shell?.destroy();
    this.client.end();
    this.client.destroy();
    for (const listener of this.closeListeners.splice(0)) listener();
  }

  /**
   * Runs one command. `signal` aborts it (a cancelled `show`): the session is closed, which
   * is the only way to stop a device mid-output, and the run fails as `cancelled` with what
   * had arrived so far. `onOutput` receives the output as it is read, cleaned as the
   * returned `output` is, the pieces concatenating to it (a `config` command's as each of
   * its lines completes); it is called no more once that cannot hold.
   */
  async run(
    commandType: CommandType,
    command: string,
    timeoutMs: number,
    signal?: AbortSignal,
    onOutput?: OutputListener,
  ): Promise<CommandOutput> {
    if (signal?.aborted) throw cancelledRun({ commandSent: false, partialOutput: '' });
    if (this.closedFlag)
      throw new DeviceRunError({
        errorClass: 'disconnected',
        message: 'Session closed before the command was sent.',
      });
    const abort = () => this.close();
    signal?.addEventListener('abort', abort, { once: true });
    const listener = onOutput && bestEffort(onOutput);
    try {
      if (this.driver.transport === 'exec') return await this.exec(command, timeoutMs, listener);
      const deadline = Date.now() + timeoutMs;
      if (commandType === 'show') {
        return {
          output: await this.send(command, deadline, { stage: 'command', listener }),
          exitCode: null,
          stderr: '',
        };
      }
      return {
        output: await this.configure(command, deadline, listener),
        exitCode: null,
        stderr: '',
      };
    } catch (error) {
      this.close();
      if (signal?.aborted)
        throw cancelledRun({
          commandSent: true,
          partialOutput: error instanceof DeviceRunError ? error.partialOutput : '',
        });
      throw error;
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }

  // ---------------- shell ----------------

  private async startShell(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.shell = await new Promise<ClientChannel>((resolve, reject) => {
      this.client.shell({ term: 'vt100', cols: 511, rows: 24 }, (error, stream) =>
        error
          ? reject(
              new DeviceRunError({
                errorClass: 'disconnected',
                message: 'The device refused a shell.',
              }),
            )
          : resolve(stream),
      );
    });
    const shell = this.shell;
    shell.setEncoding('utf8');
    shell.stderr.setEncoding('utf8');
    const onData = (chunk: string) => {
      this.buffer.append(chunk);
      const live = this.streaming;
      if (live) {
        const text = live.streamer.push(chunk);
        if (text !== '') live.listener(text);
      }
      if (this.driver.morePattern.test(this.buffer.recent)) shell.write(' ');
      this.poke();
    };
    shell.on('data', onData);
    shell.stderr.on('data', onData);
    shell.on('error', () => this.close());
    shell.on('close', () => this.close());

    const promptLine = await this.waitForPrompt(this.driver.promptPattern, deadline, {
      stage: 'session',
    });
    if (this.driver.enable && this.driver.enable.unprivileged.test(promptLine)) {
      await this.escalate(deadline);
    }
    const line = this.lastLine();
    const base = this.driver.promptPattern.exec(line)?.[1];
    this.prompt = base ? this.driver.promptFromBase(base) : this.driver.promptPattern;
    for (const setup of this.driver.sessionSetup)
      await this.send(setup, deadline, { stage: 'session' });
  }

  private async escalate(deadline: number): Promise<void> {
    const enable = this.driver.enable;
    if (!enable) return;
    this.buffer.reset();
    this.write(enable.command);
    const secretOrPrompt = (text: string) =>
      enable.secretPrompt.test(text) || this.driver.promptPattern.test(text);
    await this.waitUntil(() => secretOrPrompt(this.lastLine()), deadline, 'session');
    if (enable.secretPrompt.test(this.lastLine())) {
      this.buffer.reset();
      this.write(this.target.credentials.enableSecret ?? this.target.credentials.password ?? '');
      await this.waitUntil(
        () =>
          this.driver.promptPattern.test(this.lastLine()) ||
          enable.secretPrompt.test(this.lastLine()),
        deadline,
        'session',
      );
    }
    if (
      !this.driver.promptPattern.test(this.lastLine()) ||
      enable.unprivileged.test(this.lastLine())
    ) {
      throw new DeviceRunError({
        errorClass: 'auth_failed',
        message: 'Privilege escalation (enable) was refused: check the enable secret.',
      });
    }
  }

  private async configure(
    command: string,
    deadline: number,
    listener: OutputListener | undefined,
  ): Promise<string> {
    // A config command may rename the device: accept any well-formed prompt meanwhile,
    // and learn the (possibly new) base prompt afterwards.
    const strict = this.prompt;
    this.prompt = undefined;
    try {
      return await this.configureSteps(command, deadline, listener);
    } finally {
      const base = this.driver.promptPattern.exec(this.lastLine())?.[1];
      this.prompt = base ? this.driver.promptFromBase(base) : strict;
    }
  }

  private async configureSteps(
    command: string,
    deadline: number,
    listener: OutputListener | undefined,
  ): Promise<string> {
    const config = this.driver.config;
    // The output is the non-blank parts joined by \n: each is streamed as its line completes.
    let streamed = false;
    const stream = (part: string) => {
      if (!listener || part.trim() === '') return;
      listener(streamed ? `\n${part}` : part);
      streamed = true;
    };
    for (const enter of config.enter) {
      const out = await this.send(enter, deadline, { stage: 'command' });
      if (detectVendorError(this.driver, out).detected) return out;
    }
    // A config snippet is lines joined by \n: one line at a time, each to its prompt, so
    // that a refused line stops the rest (and output is attributed to its line).
    const parts: string[] = [];
    for (const line of command.split('\n')) {
      const output = await this.send(line, deadline, { stage: 'command' });
      parts.push(output);
      stream(output);
      if (detectVendorError(this.driver, output).detected) {
        for (const abort of config.abort) await this.send(abort, deadline, { stage: 'command' });
        return parts.filter((p) => p.trim() !== '').join('\n');
      }
    }
    for (const commit of config.commit) {
      const out = await this.send(commit, deadline, { stage: 'command' });
      if (out.trim()) parts.push(out);
      stream(out);
      if (detectVendorError(this.driver, out).detected) {
        for (const abort of config.abort) await this.send(abort, deadline, { stage: 'command' });
        return parts.filter((p) => p.trim() !== '').join('\n');
      }
    }
    for (const exit of config.exit) await this.send(exit, deadline, { stage: 'command' });
    return parts.filter((p) => p.trim() !== '').join('\n');
  }

  /**
   * Sends one line and returns its cleaned output once the prompt is back; with a
   * `listener`, streams that output as it arrives.
   */
  private async send(command: string, deadline: number, options: SendOptions): Promise<string> {
    const { stage, listener } = options;
    this.buffer.reset();
    const prompt = this.prompt ?? this.driver.promptPattern;
    const live = listener && {
      streamer: new ShellOutputStreamer(this.driver, command, prompt),
      listener,
    };
    this.streaming = live;
    this.write(command);
    try {
      await this.waitForPrompt(prompt, deadline, { stage, afterLineBreak: true });
    } finally {
      this.streaming = undefined;
    }
    const output = cleanShellOutput(this.driver, this.buffer.raw, command, prompt);
    if (live) {
      // Not a continuation (never expected): the caller streams the result's output again.
      const end = live.streamer.finish(output);
      if (!end.restart && end.text !== '') live.listener(end.text);
    }
    // An idle session keeps only the prompt line (read by lastLine), not the whole output.
    this.buffer.reset(this.buffer.rawLastLine);
    return output;
  }

  private write(line: string): void {
    this.shell?.write(`${line}${this.driver.lineEnding}`);
  }

  /** The last line as the terminal shows it (runs on every chunk received). */
  private lastLine(): string {
    return this.buffer.lastLine();
  }

  private async waitForPrompt(
    prompt: RegExp,
    deadline: number,
    options: PromptOptions,
  ): Promise<string> {
    const afterLineBreak = options.afterLineBreak ?? false;
    await this.waitUntil(
      () => (!afterLineBreak || this.buffer.hasLineBreak) && prompt.test(this.lastLine()),
      deadline,
      options.stage,
    );
    return this.lastLine();
  }

  private waitUntil(check: () => boolean, deadline: number, stage: WaitStage): Promise<void> {
    if (check()) return Promise.resolve();
    if (this.closedFlag) return Promise.reject(this.dropped(stage));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.waiter = undefined;
          reject(this.timedOut(stage));
        },
        Math.max(0, deadline - Date.now()),
      );
      this.waiter = {
        check,
        resolve,
        reject: () => reject(this.dropped(stage)),
        timer,
      };
    });
  }

  private timedOut(stage: WaitStage): DeviceRunError {
    return stage === 'command'
      ? commandTimedOut(this.partial())
      : new DeviceRunError({
          errorClass: 'connect_timeout',
          message: 'Timed out waiting for the device prompt.',
          commandSent: false,
          partialOutput: this.partial(),
        });
  }

  private dropped(stage: WaitStage): DeviceRunError {
    return connectionDropped({ commandSent: stage === 'command', partialOutput: this.partial() });
  }

  private partial(): string {
    return normaliseTerminalText(this.buffer.raw).slice(0, 64 * 1024);
  }

  private poke(): void {
    const waiter = this.waiter;
    if (waiter && waiter.check()) {
      this.waiter = undefined;
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }

  // ---------------- exec ----------------

  private exec(
    command: string,
    timeoutMs: number,
    listener: OutputListener | undefined,
  ): Promise<CommandOutput> {
    return new Promise<CommandOutput>((resolve, reject) => {
      const streamer = listener && new ExecOutputStreamer();
      let stdout = '';
      let stderr = '';
      let exitCode: number | null = null;
      let done = false;
      const finish = (error?: DeviceRunError) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        unsubscribe();
        if (error) {
          reject(error);
          return;
        }
        const output = cleanExecOutput(stdout);
        if (streamer && listener) {
          const end = streamer.finish(output);
          if (!end.restart && end.text !== '') listener(end.text);
        }
        resolve({ output, exitCode: exitCode ?? 0, stderr: cleanExecOutput(stderr) });
      };
      const timer = setTimeout(() => finish(commandTimedOut(cleanExecOutput(stdout))), timeoutMs);
      const onClientClose = () =>
        finish(connectionDropped({ commandSent: true, partialOutput: cleanExecOutput(stdout) }));
      const unsubscribe = this.onClose(onClientClose);
      this.client.exec(command, (error, stream) => {
        if (error) {
          finish(
            new DeviceRunError({
              errorClass: 'disconnected',
              message: 'The device refused an exec channel.',
            }),
          );
          return;
        }
        stream.setEncoding('utf8');
        stream.stderr.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          stdout += chunk;
          if (streamer && listener) {
            const text = streamer.push(chunk);
            if (text !== '') listener(text);
          }
        });
        stream.stderr.on('data', (chunk: string) => {
          stderr += chunk;
        });
        stream.on('error', () => undefined);
        stream.on('exit', (code: number | null, signal?: string) => {
          exitCode = code ?? (signal ? 128 : 0);
        });
        stream.on('close', () => {
          if (exitCode === null) {
            onClientClose();
            return;
          }
          finish();
        });
      });
    });
  }
}

/** A listener whose failure never reaches the read loop (live output is best effort). */
function bestEffort(listener: OutputListener): OutputListener {
  return (text) => {
    try {
      listener(text);
    } catch {
      // The result carries the output anyway.
    }
  };
}

/** What a failed run reports besides its class: whether the command reached the device. */
interface RunFailure {
  commandSent: boolean;
  partialOutput: string;
}

function cancelledRun({ commandSent, partialOutput }: RunFailure): DeviceRunError {
  return new DeviceRunError({
    errorClass: 'cancelled',
    message: commandSent
      ? 'Cancelled by request while running: the session was closed.'
      : 'Cancelled by request before it ran.',
    commandSent,
    partialOutput,
  });
}

function commandTimedOut(partialOutput: string): DeviceRunError {
  return new DeviceRunError({
    errorClass: 'command_timeout',
    message: 'The device did not finish the command in time.',
    commandSent: true,
    partialOutput,
  });
}

function connectionDropped({ commandSent, partialOutput }: RunFailure): DeviceRunError {
  return new DeviceRunError({
    errorClass: 'disconnected',
    message: 'The device closed the connection before the command finished.',
    commandSent,
    partialOutput,
  });
}

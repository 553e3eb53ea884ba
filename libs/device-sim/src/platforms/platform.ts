/** What every platform module provides: prompts, banners, pager style, and a command interpreter. */
import type { PagerStyle } from '../cli/pager';
import type { DeviceState, HardwareProfile } from '../device-state';
import type { PlatformId } from '../types';

/** Per-session CLI context (mode, privilege, paging). The device state is shared by all sessions. */
export interface CliContext {
  readonly device: DeviceState;
  readonly username: string;
  /** False for exec channels (one command, no prompt, no pager). */
  readonly interactive: boolean;
  mode: string;
  privileged: boolean;
  paging: boolean;
  pageLength: number;
  /** Interface or VLAN being configured in a sub-mode. */
  target: string | undefined;
  /** Junos candidate configuration: changes applied on commit. */
  pending: ((device: DeviceState) => void)[];
  /** Length of the prompt's last line, for the caret under invalid input. */
  promptWidth: number;
}

export interface CommandOutcome {
  output?: string;
  stderr?: string;
  exitCode?: number;
  /** End the session after the output (exit/logout). */
  close?: boolean;
  /** Bypass the pager for this output (`| no-more`). */
  noPaging?: boolean;
  /** Ask for a secret without echo (enable password). */
  secretPrompt?: { prompt: string; onSecret: (ctx: CliContext, secret: string) => CommandOutcome };
}

export interface Platform {
  readonly id: PlatformId;
  readonly hardware: HardwareProfile;
  readonly pager: PagerStyle;
  /** Software version part of the SSH identification string, e.g. `Cisco-1.25`. */
  readonly sshSoftware: string;
  /** Whether a fresh session starts privileged (`#`) or not (`>`). */
  readonly startsPrivileged: boolean;
  /** Line ending for exec channels (network OSes use CRLF, Linux LF). */
  readonly execLineEnding: '\r\n' | '\n';
  preAuthBanner(device: DeviceState): string | undefined;
  motd(device: DeviceState, username: string): string;
  prompt(ctx: CliContext): string;
  execute(ctx: CliContext, line: string): CommandOutcome;
  /**
   * The command patterns of the privileged exec (operational) mode, in table order
   * (`show interfaces {interface}`): what tools enumerate to run everything the device
   * answers. Undefined for shells without a command table (Linux).
   */
  readonly execPatterns?: readonly string[];
  /** Ctrl-Z: leave configuration mode (IOS family); undefined if the key does nothing. */
  ctrlZ?(ctx: CliContext): CommandOutcome | undefined;
}

export function newContext(
  device: DeviceState,
  platform: Platform,
  username: string,
  interactive: boolean,
): CliContext {
  return {
    device,
    username,
    interactive,
    mode: 'exec',
    privileged: platform.startsPrivileged,
    paging: interactive,
    pageLength: 24,
    target: undefined,
    pending: [],
    promptWidth: 0,
  };
}

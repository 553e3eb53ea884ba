import type { PlatformDriver } from '@toolkit/contracts';

/**
 * Everything the executor knows about one platform's CLI, in one table: how a prompt
 * looks, how to turn paging off, how to become privileged, how to enter and leave
 * configuration mode (and commit), which line ending to send and which output means
 * the device refused the command.
 */

export type VendorErrorKind =
  | 'invalid_input'
  | 'incomplete_command'
  | 'ambiguous_command'
  | 'unknown_command'
  | 'permission_denied'
  | 'commit_failed';

export interface VendorErrorPattern {
  readonly pattern: RegExp;
  readonly type: VendorErrorKind;
  readonly guidance: string;
}

export interface PlatformDriverSpec {
  readonly platform: PlatformDriver;
  readonly vendor: string;
  /** `shell`: interactive shell with prompt detection; `exec`: one exec channel per command. */
  readonly transport: 'shell' | 'exec';
  /**
   * Matches the last line of the buffer when the device waits for input. Group 1 is the
   * base prompt (hostname part) that later prompts must repeat.
   */
  readonly promptPattern: RegExp;
  /** Builds the strict pattern used once the base prompt is known (mode suffixes allowed). */
  readonly promptFromBase: (base: string) => RegExp;
  /** Commands sent once per session to disable paging and similar niceties. */
  readonly sessionSetup: readonly string[];
  /** A pager line, should paging still happen: answered with a space. */
  readonly morePattern: RegExp;
  /** IOS/EOS: `enable` (+ secret) when the prompt shows the unprivileged mode. */
  readonly enable?: {
    readonly command: string;
    readonly unprivileged: RegExp;
    readonly secretPrompt: RegExp;
  };
  readonly config: {
    readonly enter: readonly string[];
    /** Sent after the command when it was accepted (Junos/XR commit). */
    readonly commit: readonly string[];
    readonly exit: readonly string[];
    /** Sent instead of commit + exit when the device refused the command. */
    readonly abort: readonly string[];
  };
  readonly lineEnding: '\n' | '\r\n' | '\r';
  readonly errorPatterns: readonly VendorErrorPattern[];
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const GUIDE = {
  invalid: 'Check the command syntax for this platform; the caret marks the first invalid word.',
  incomplete: 'The command is missing a required argument; complete it (use ? on the device).',
  ambiguous: 'An abbreviation matches several commands; type more of the keyword.',
  unknown: 'The command does not exist on this platform or software version.',
  permission:
    'The account lacks the privilege for this command; use credentials with a higher privilege level.',
  commit:
    'The device rejected the configuration at commit; review the change and the commit errors.',
} as const;

const authz: VendorErrorPattern[] = [
  {
    pattern: /^% ?Authorization failed\.?/m,
    type: 'permission_denied',
    guidance: GUIDE.permission,
  },
  { pattern: /^% ?Permission denied/m, type: 'permission_denied', guidance: GUIDE.permission },
  { pattern: /^% ?Access denied/m, type: 'permission_denied', guidance: GUIDE.permission },
  { pattern: /^% ?Bad secrets?/m, type: 'permission_denied', guidance: GUIDE.permission },
];

const iosErrors: VendorErrorPattern[] = [
  {
    pattern: /^% ?Invalid input detected at '\^' marker\.?/m,
    type: 'invalid_input',
    guidance: GUIDE.invalid,
  },
  { pattern: /^% ?Incomplete command\.?/m, type: 'incomplete_command', guidance: GUIDE.incomplete },
  { pattern: /^% ?Ambiguous command/m, type: 'ambiguous_command', guidance: GUIDE.ambiguous },
  { pattern: /^% ?Unknown command/m, type: 'unknown_command', guidance: GUIDE.unknown },
  ...authz,
];

/** `R1>`, `R1#`, `R1(config-if)#`, `RP/0/RP0/CPU0:xr1#`, NX-OS adds a space. */
const ciscoPrompt = /^([A-Za-z0-9][\w.\-/:@]{0,80})(?:\([\w.\-/ ]+\))?[>#] ?$/;
const ciscoFromBase = (base: string): RegExp =>
  new RegExp(`^${escape(base)}(?:\\([\\w.\\-/ ]+\\))?[>#] ?$`);
const ciscoMore = /(?:--More--|<--- More --->)\s*$/;

const ciscoConfig = {
  enter: ['configure terminal'],
  commit: [],
  exit: ['end'],
  abort: ['end'],
};

const DRIVERS: Readonly<Record<PlatformDriver, PlatformDriverSpec>> = {
  cisco_ios: {
    platform: 'cisco_ios',
    vendor: 'Cisco IOS/IOS-XE',
    transport: 'shell',
    promptPattern: ciscoPrompt,
    promptFromBase: ciscoFromBase,
    sessionSetup: ['terminal length 0', 'terminal width 511'],
    morePattern: ciscoMore,
    enable: { command: 'enable', unprivileged: />\s?$/, secretPrompt: /[Pp]assword:\s*$/ },
    config: ciscoConfig,
    lineEnding: '\n',
    errorPatterns: iosErrors,
  },
  cisco_nxos: {
    platform: 'cisco_nxos',
    vendor: 'Cisco NX-OS',
    transport: 'shell',
    promptPattern: ciscoPrompt,
    promptFromBase: ciscoFromBase,
    sessionSetup: ['terminal length 0', 'terminal width 511'],
    morePattern: ciscoMore,
    config: ciscoConfig,
    lineEnding: '\n',
    errorPatterns: [
      {
        pattern: /^% ?Invalid command at '\^' marker\.?/m,
        type: 'invalid_input',
        guidance: GUIDE.invalid,
      },
      {
        pattern: /^% ?Incomplete command at '\^' marker\.?/m,
        type: 'incomplete_command',
        guidance: GUIDE.incomplete,
      },
      {
        pattern: /^% ?Ambiguous command at '\^' marker\.?/m,
        type: 'ambiguous_command',
        guidance: GUIDE.ambiguous,
      },
      ...iosErrors,
    ],
  },
  cisco_xr: {
    platform: 'cisco_xr',
    vendor: 'Cisco IOS-XR',
    transport: 'shell',
    promptPattern: ciscoPrompt,
    promptFromBase: ciscoFromBase,
    sessionSetup: ['terminal length 0', 'terminal width 511'],
    morePattern: ciscoMore,
    config: { enter: ['configure terminal'], commit: ['commit'], exit: ['end'], abort: ['abort'] },
    lineEnding: '\n',
    errorPatterns: [
      { pattern: /^% ?Failed to commit/m, type: 'commit_failed', guidance: GUIDE.commit },
      ...iosErrors,
    ],
  },
  arista_eos: {
    platform: 'arista_eos',
    vendor: 'Arista EOS',
    transport: 'shell',
    promptPattern: ciscoPrompt,
    promptFromBase: ciscoFromBase,
    sessionSetup: ['terminal length 0', 'terminal width 32767'],
    morePattern: /--More--\s*$/,
    enable: { command: 'enable', unprivileged: />\s?$/, secretPrompt: /[Pp]assword:\s*$/ },
    config: ciscoConfig,
    lineEnding: '\n',
    errorPatterns: [
      {
        pattern: /^% ?Invalid input \(privileged mode required\)/m,
        type: 'permission_denied',
        guidance: GUIDE.permission,
      },
      { pattern: /^% ?Invalid input/m, type: 'invalid_input', guidance: GUIDE.invalid },
      {
        pattern: /^% ?Incomplete command/m,
        type: 'incomplete_command',
        guidance: GUIDE.incomplete,
      },
      { pattern: /^% ?Ambiguous command/m, type: 'ambiguous_command', guidance: GUIDE.ambiguous },
      { pattern: /^% ?Unrecognized command/m, type: 'unknown_command', guidance: GUIDE.unknown },
      ...authz,
    ],
  },
  juniper_junos: {
    platform: 'juniper_junos',
    vendor: 'Juniper Junos',
    transport: 'shell',
    promptPattern: /^(?:\{[\w:]+\}\s*)?([\w.-]+@[\w.-]+)[>#%] ?$/,
    promptFromBase: (base) => new RegExp(`^${escape(base)}[>#%] ?$`),
    sessionSetup: ['set cli screen-length 0', 'set cli screen-width 0'],
    morePattern: /---\(more(?: \d+%)?\)---\s*$/,
    config: {
      enter: ['configure'],
      commit: ['commit'],
      exit: ['exit configuration-mode'],
      abort: ['rollback 0', 'exit configuration-mode'],
    },
    lineEnding: '\n',
    errorPatterns: [
      { pattern: /^\s*syntax error, expecting/m, type: 'invalid_input', guidance: GUIDE.invalid },
      { pattern: /^\s*syntax error\b/m, type: 'invalid_input', guidance: GUIDE.invalid },
      { pattern: /^\s*unknown command\.?/m, type: 'unknown_command', guidance: GUIDE.unknown },
      { pattern: /^'.*' is ambiguous\./m, type: 'ambiguous_command', guidance: GUIDE.ambiguous },
      { pattern: /^error: commit failed/m, type: 'commit_failed', guidance: GUIDE.commit },
      {
        pattern: /^error: .*permission denied/im,
        type: 'permission_denied',
        guidance: GUIDE.permission,
      },
      ...authz,
    ],
  },
  linux: {
    platform: 'linux',
    vendor: 'Linux',
    transport: 'exec',
    promptPattern: /^(\S+@\S+)[:~\w/]*[$#] ?$/,
    promptFromBase: (base) => new RegExp(`^${escape(base)}[:~\\w/]*[$#] ?$`),
    sessionSetup: [],
    morePattern: /^:$/,
    config: { enter: [], commit: [], exit: [], abort: [] },
    lineEnding: '\n',
    errorPatterns: [],
  },
  frr: {
    platform: 'frr',
    vendor: 'FRRouting',
    transport: 'shell',
    promptPattern: ciscoPrompt,
    promptFromBase: ciscoFromBase,
    sessionSetup: ['terminal length 0'],
    morePattern: /--More--\s*$/,
    config: ciscoConfig,
    lineEnding: '\n',
    errorPatterns: [
      { pattern: /^% ?Unknown command/m, type: 'unknown_command', guidance: GUIDE.unknown },
      {
        pattern: /^% ?Command incomplete/m,
        type: 'incomplete_command',
        guidance: GUIDE.incomplete,
      },
      { pattern: /^% ?Ambiguous command/m, type: 'ambiguous_command', guidance: GUIDE.ambiguous },
      {
        pattern: /^% ?There is no matched command/m,
        type: 'unknown_command',
        guidance: GUIDE.unknown,
      },
      { pattern: /^% ?Invalid input/m, type: 'invalid_input', guidance: GUIDE.invalid },
      ...authz,
    ],
  },
};

export function driverFor(platform: PlatformDriver): PlatformDriverSpec {
  return DRIVERS[platform];
}

export const PLATFORM_DRIVER_TABLE = DRIVERS;

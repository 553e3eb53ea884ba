/** AST of a Python `re` pattern, as produced by {@link parsePythonRegex}. */

export type Category = 'd' | 'D' | 's' | 'S' | 'w' | 'W';

export type ClassItem =
  | { readonly kind: 'char'; readonly cp: number }
  | { readonly kind: 'range'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'category'; readonly cat: Category };

export type AssertKind = 'start' | 'end' | 'startString' | 'endString' | 'boundary' | 'nonBoundary';

export type RepeatMode = 'greedy' | 'lazy' | 'possessive';

export type RegexNode =
  | { readonly kind: 'sequence'; readonly items: RegexNode[] }
  | { readonly kind: 'alternation'; readonly alternatives: RegexNode[] }
  | { readonly kind: 'char'; readonly cp: number }
  | { readonly kind: 'any' }
  | { readonly kind: 'class'; readonly negate: boolean; readonly items: ClassItem[] }
  | { readonly kind: 'category'; readonly cat: Category }
  | { readonly kind: 'assert'; readonly at: AssertKind }
  | { readonly kind: 'group'; readonly index: number | null; readonly body: RegexNode }
  | {
      readonly kind: 'flagGroup';
      readonly add: number;
      readonly remove: number;
      readonly body: RegexNode;
    }
  | { readonly kind: 'atomic'; readonly body: RegexNode }
  | {
      readonly kind: 'look';
      readonly behind: boolean;
      readonly negate: boolean;
      readonly body: RegexNode;
    }
  | { readonly kind: 'backref'; readonly index: number }
  | {
      readonly kind: 'repeat';
      readonly min: number;
      readonly max: number;
      readonly mode: RepeatMode;
      readonly body: RegexNode;
    };

export const FLAG_I = 1;
export const FLAG_M = 2;
export const FLAG_S = 4;
export const FLAG_X = 8;
export const FLAG_A = 16;
export const FLAG_U = 32;
export const FLAG_L = 64;
export const FLAG_T = 128;

export const FLAG_BITS: Readonly<Record<string, number>> = {
  i: FLAG_I,
  L: FLAG_L,
  m: FLAG_M,
  s: FLAG_S,
  x: FLAG_X,
  a: FLAG_A,
  t: FLAG_T,
  u: FLAG_U,
};

export const TYPE_FLAGS = FLAG_A | FLAG_L | FLAG_U;
export const GLOBAL_ONLY_FLAGS = FLAG_T;

/** Python's MAXREPEAT (unbounded repeat marker is represented as Infinity). */
export const MAX_REPEAT = 4294967295;

export interface ParsedRegex {
  readonly pattern: string;
  readonly root: RegexNode;
  /** Flags set by a leading `(?flags)` group. */
  readonly globalFlags: number;
  /** Number of capture groups (Python numbering, group 0 excluded). */
  readonly groupCount: number;
  /** Named groups in definition order: name -> Python group index. */
  readonly groupIndex: ReadonlyMap<string, number>;
}

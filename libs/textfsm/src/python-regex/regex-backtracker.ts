/**
 * An emulation of CPython 3.11's `sre` matcher (`Modules/_sre/sre_lib.h`,
 * `SRE(match)`), run over the program built by {@link compileSreProgram}.
 *
 * It is a port, operation by operation, of the parts of `SRE(match)` that
 * decide group values: the mark array with `lastmark` (a group is visible only
 * when both its marks are at or below `lastmark`), `LASTMARK_SAVE/RESTORE`
 * around every backtracking point, `MARK_PUSH/POP` only while inside a
 * REPEAT (`state->repeat`), captures never cleared at the start of an
 * iteration (so a group keeps the value of the last iteration in which it
 * participated), and the zero-width protection of MAX_UNTIL / MIN_UNTIL (no
 * further iteration once an iteration ended where it started, i.e. at
 * `rep->last_ptr`). Like `sre`, it uses an explicit stack of contexts instead
 * of recursion, so long subjects cannot overflow the JavaScript stack.
 *
 * Unlike `sre`, every match has a step budget: runaway backtracking raises
 * {@link RegexStepLimitError} instead of hanging.
 */
import { PythonRegexError } from './regex-parser';
import {
  AT_BEGINNING,
  AT_BEGINNING_LINE,
  AT_BEGINNING_STRING,
  AT_BOUNDARY,
  AT_END,
  AT_END_LINE,
  AT_END_STRING,
  AT_NON_BOUNDARY,
  AT_UNI_BOUNDARY,
  OP_ANY,
  OP_ANY_ALL,
  OP_ASSERT,
  OP_ASSERT_NOT,
  OP_AT,
  OP_ATOMIC_GROUP,
  OP_BRANCH,
  OP_FAILURE,
  OP_GROUPREF,
  OP_GROUPREF_IGNORE,
  OP_IN,
  OP_JUMP,
  OP_LITERAL,
  OP_MARK,
  OP_MAX_UNTIL,
  OP_MIN_REPEAT_ONE,
  OP_MIN_UNTIL,
  OP_NOT_LITERAL,
  OP_POSSESSIVE_REPEAT,
  OP_POSSESSIVE_REPEAT_ONE,
  OP_REPEAT,
  OP_REPEAT_ONE,
  OP_SUCCESS,
  SRE_MAXREPEAT,
  isAsciiWordChar,
  isUnicodeWord,
} from './sre-program';
import type { SreProgram } from './sre-program';

/** Default number of matcher steps allowed for one match attempt. */
export const DEFAULT_STEP_BUDGET = 10_000_000;

/** A match attempt exceeded its step budget (catastrophic backtracking). */
export class RegexStepLimitError extends PythonRegexError {
  constructor(
    pattern: string,
    readonly budget: number,
  ) {
    super(
      `the match needed more than ${budget.toLocaleString('en-US')} backtracking steps ` +
        '(catastrophic backtracking); giving up',
      pattern,
      undefined,
    );
  }
}

const JUMP_NONE = 0;
const JUMP_MAX_UNTIL_1 = 1;
const JUMP_MAX_UNTIL_2 = 2;
const JUMP_MAX_UNTIL_3 = 3;
const JUMP_MIN_UNTIL_1 = 4;
const JUMP_MIN_UNTIL_2 = 5;
const JUMP_MIN_UNTIL_3 = 6;
const JUMP_REPEAT = 7;
const JUMP_REPEAT_ONE_1 = 8;
const JUMP_REPEAT_ONE_2 = 9;
const JUMP_MIN_REPEAT_ONE = 10;
const JUMP_BRANCH = 11;
const JUMP_ASSERT = 12;
const JUMP_ASSERT_NOT = 13;
const JUMP_POSS_REPEAT_1 = 14;
const JUMP_POSS_REPEAT_2 = 15;
const JUMP_ATOMIC_GROUP = 16;

/** Where the interpreter continues: executing code, or one of the loops of a backtracking operator. */
const L_DISPATCH = 0;
const L_EXIT = 1;
const L_BRANCH_LOOP = 2;
const L_REPEAT_ONE_1_LOOP = 3;
const L_REPEAT_ONE_2_LOOP = 4;
const L_MIN_REPEAT_ONE_LOOP = 5;
const L_MAX_UNTIL_TAIL = 6;
const L_POSS_REPEAT_MIN_LOOP = 7;
const L_POSS_REPEAT_MAX_LOOP = 8;
const L_POSS_REPEAT_TAIL = 9;

const NULL = -1;
const LINEBREAK = 10;

interface Repeat {
  count: number;
  /** Index of the REPEAT operator's arguments (`<skip> <min> <max> item`). */
  readonly pc: number;
  readonly prev: Repeat | null;
  lastPtr: number;
}

/** `SRE(match_context)`; contexts live on a stack and are reused (like `sre`'s data stack). */
interface Context {
  pc: number;
  ptr: number;
  toplevel: boolean;
  jump: number;
  count: number;
  rep: Repeat | null;
  chr: number;
  lastmark: number;
  lastindex: number;
  savedMarks: number[] | null;
  savedLastPtr: number;
}

function context(pc: number, toplevel: boolean, jump: number): Context {
  return {
    pc,
    ptr: 0,
    toplevel,
    jump,
    count: 0,
    rep: null,
    chr: 0,
    lastmark: -1,
    lastindex: -1,
    savedMarks: null,
    savedLastPtr: NULL,
  };
}

/** Code points of `subject` (Python indexes strings by code point). */
function codePoints(subject: string): { cps: number[]; offsets: number[] | null } {
  const cps: number[] = [];
  let astral = false;
  for (let i = 0; i < subject.length; i += 1) {
    const cp = subject.codePointAt(i) ?? 0;
    cps.push(cp);
    if (cp > 0xffff) {
      astral = true;
      i += 1;
    }
  }
  if (!astral) return { cps, offsets: null };
  const offsets: number[] = [];
  let offset = 0;
  for (const cp of cps) {
    offsets.push(offset);
    offset += cp > 0xffff ? 2 : 1;
  }
  offsets.push(offset);
  return { cps, offsets };
}

/** Python match: group values (0 = whole match), `undefined` when a group did not participate. */
export type SreMatch = (string | undefined)[];

/** One match attempt (`pattern.match(subject)`): state of `SRE_STATE` plus the interpreter. */
class Matcher {
  private readonly code: readonly number[];
  private readonly s: number[];
  private readonly end: number;
  private readonly mark: number[] = [];
  private lastmark = -1;
  private lastindex = -1;
  private repeat: Repeat | null = null;
  private statePtr = 0;
  private steps = 0;

  constructor(
    private readonly program: SreProgram,
    subject: number[],
    private readonly budget: number,
    private readonly pattern: string,
  ) {
    this.code = program.code;
    this.s = subject;
    this.end = subject.length;
  }

  get endPtr(): number {
    return this.statePtr;
  }

  groupSpan(group: number): [number, number] | null {
    const j = (group - 1) * 2;
    const start = this.mark[j] ?? NULL;
    const end = this.mark[j + 1] ?? NULL;
    if (j + 1 > this.lastmark || start === NULL || end === NULL) return null;
    if (start > end) {
      throw new PythonRegexError(
        'The span of capturing group is wrong, please report a bug for the re module.',
        this.pattern,
        undefined,
      );
    }
    return [start, end];
  }

  private tick(): void {
    this.steps += 1;
    if (this.steps > this.budget) throw new RegexStepLimitError(this.pattern, this.budget);
  }

  private at(ptr: number, at: number): boolean {
    const s = this.s;
    const end = this.end;
    switch (at) {
      case AT_BEGINNING:
      case AT_BEGINNING_STRING:
        return ptr === 0;
      case AT_BEGINNING_LINE:
        return ptr === 0 || s[ptr - 1] === LINEBREAK;
      case AT_END:
        return (end - ptr === 1 && s[ptr] === LINEBREAK) || ptr === end;
      case AT_END_LINE:
        return ptr === end || s[ptr] === LINEBREAK;
      case AT_END_STRING:
        return ptr === end;
      default: {
        if (end === 0) return false;
        const isWord =
          at === AT_BOUNDARY || at === AT_NON_BOUNDARY ? isAsciiWordChar : isUnicodeWord;
        const thatp = ptr > 0 && isWord(s[ptr - 1] ?? 0);
        const thisp = ptr < end && isWord(s[ptr] ?? 0);
        return at === AT_BOUNDARY || at === AT_UNI_BOUNDARY ? thisp !== thatp : thisp === thatp;
      }
    }
  }

  /** `SRE(count)`: how many times the single-character item at `pc` matches from `statePtr`. */
  private count(pc: number, maxcount: number): number {
    const s = this.s;
    const start = this.statePtr;
    let end = this.end;
    if (maxcount < end - start && maxcount !== SRE_MAXREPEAT) end = start + maxcount;
    let ptr = start;
    const op = this.code[pc];
    const arg = this.code[pc + 1] ?? 0;
    switch (op) {
      case OP_IN: {
        const set = this.program.sets[arg];
        if (set === undefined) break;
        while (ptr < end && set(s[ptr] ?? 0)) ptr += 1;
        break;
      }
      case OP_ANY:
        while (ptr < end && s[ptr] !== LINEBREAK) ptr += 1;
        break;
      case OP_ANY_ALL:
        ptr = end;
        break;
      case OP_LITERAL:
        while (ptr < end && s[ptr] === arg) ptr += 1;
        break;
      case OP_NOT_LITERAL:
        while (ptr < end && s[ptr] !== arg) ptr += 1;
        break;
      default:
        throw new Error(`sre emulation: unexpected single-character operator ${String(op)}`);
    }
    return ptr - start;
  }

  private markPush(ctx: Context): void {
    ctx.savedMarks = ctx.lastmark >= 0 ? this.mark.slice(0, ctx.lastmark + 1) : null;
  }

  /** MARK_POP_KEEP: restore the pushed marks, keep them pushed. */
  private markPopKeep(ctx: Context): void {
    const saved = ctx.savedMarks;
    if (saved !== null) for (let i = 0; i < saved.length; i += 1) this.mark[i] = saved[i] ?? NULL;
  }

  /** MARK_POP: restore the pushed marks and drop them. */
  private markPop(ctx: Context): void {
    this.markPopKeep(ctx);
    ctx.savedMarks = null;
  }

  /** MARK_POP_DISCARD: drop the pushed marks without restoring them. */
  private markDiscard(ctx: Context): void {
    ctx.savedMarks = null;
  }

  private lastmarkSave(ctx: Context): void {
    ctx.lastmark = this.lastmark;
    ctx.lastindex = this.lastindex;
  }

  private lastmarkRestore(ctx: Context): void {
    this.lastmark = ctx.lastmark;
    this.lastindex = ctx.lastindex;
  }

  /** `SRE(match)`: returns true when the program matches at `statePtr`. */
  run(): boolean {
    const code = this.code;
    const s = this.s;
    const end = this.end;
    const stack: Context[] = [context(0, true, JUMP_NONE)];
    let depth = 0;
    let ctx = stack[0] as Context;
    let pc = 0;
    let ptr = this.statePtr;
    let ret = false;
    let label = L_DISPATCH;

    const doJump = (jump: number, next: number, toplevel: boolean): void => {
      this.tick();
      ctx.pc = pc;
      ctx.ptr = ptr;
      depth += 1;
      let child = stack[depth];
      if (child === undefined) {
        child = context(next, toplevel, jump);
        stack.push(child);
      } else {
        child.pc = next;
        child.toplevel = toplevel;
        child.jump = jump;
        child.rep = null;
        child.savedMarks = null;
      }
      ctx = child;
      pc = next;
      ptr = this.statePtr;
      label = L_DISPATCH;
    };

    for (;;) {
      switch (label) {
        case L_DISPATCH: {
          this.tick();
          const op = code[pc++];
          switch (op) {
            case OP_MARK: {
              const i = code[pc] ?? 0;
              if (i & 1) this.lastindex = (i >> 1) + 1;
              if (i > this.lastmark) {
                for (let j = this.lastmark + 1; j < i; j += 1) this.mark[j] = NULL;
                this.lastmark = i;
              }
              this.mark[i] = ptr;
              pc += 1;
              continue;
            }
            case OP_LITERAL:
              if (ptr >= end || s[ptr] !== code[pc]) {
                ret = false;
                label = L_EXIT;
                continue;
              }
              pc += 1;
              ptr += 1;
              continue;
            case OP_NOT_LITERAL:
              if (ptr >= end || s[ptr] === code[pc]) {
                ret = false;
                label = L_EXIT;
                continue;
              }
              pc += 1;
              ptr += 1;
              continue;
            case OP_SUCCESS:
              this.statePtr = ptr;
              ret = true;
              label = L_EXIT;
              continue;
            case OP_AT:
              if (!this.at(ptr, code[pc] ?? 0)) {
                ret = false;
                label = L_EXIT;
                continue;
              }
              pc += 1;
              continue;
            case OP_ANY:
              if (ptr >= end || s[ptr] === LINEBREAK) {
                ret = false;
                label = L_EXIT;
                continue;
              }
              ptr += 1;
              continue;
            case OP_ANY_ALL:
              if (ptr >= end) {
                ret = false;
                label = L_EXIT;
                continue;
              }
              ptr += 1;
              continue;
            case OP_IN: {
              const set = this.program.sets[code[pc] ?? 0];
              if (ptr >= end || set === undefined || !set(s[ptr] ?? 0)) {
                ret = false;
                label = L_EXIT;
                continue;
              }
              pc += 1;
              ptr += 1;
              continue;
            }
            case OP_JUMP:
              pc += code[pc] ?? 0;
              continue;
            case OP_BRANCH:
              this.lastmarkSave(ctx);
              if (this.repeat) this.markPush(ctx);
              label = L_BRANCH_LOOP;
              continue;
            case OP_REPEAT_ONE: {
              const min = code[pc + 1] ?? 0;
              if (min > end - ptr) {
                ret = false;
                label = L_EXIT;
                continue;
              }
              this.statePtr = ptr;
              ctx.count = this.count(pc + 3, code[pc + 2] ?? 0);
              ptr += ctx.count;
              if (ctx.count < min) {
                ret = false;
                label = L_EXIT;
                continue;
              }
              const tail = pc + (code[pc] ?? 0);
              if (code[tail] === OP_SUCCESS && ptr === end) {
                this.statePtr = ptr;
                ret = true;
                label = L_EXIT;
                continue;
              }
              this.lastmarkSave(ctx);
              if (this.repeat) this.markPush(ctx);
              if (code[tail] === OP_LITERAL) {
                ctx.chr = code[tail + 1] ?? 0;
                label = L_REPEAT_ONE_1_LOOP;
              } else {
                label = L_REPEAT_ONE_2_LOOP;
              }
              continue;
            }
            case OP_MIN_REPEAT_ONE: {
              const min = code[pc + 1] ?? 0;
              if (min > end - ptr) {
                ret = false;
                label = L_EXIT;
                continue;
              }
              this.statePtr = ptr;
              if (min === 0) {
                ctx.count = 0;
              } else {
                const counted = this.count(pc + 3, min);
                if (counted < min) {
                  ret = false;
                  label = L_EXIT;
                  continue;
                }
                ctx.count = counted;
                ptr += counted;
              }
              if (code[pc + (code[pc] ?? 0)] === OP_SUCCESS) {
                this.statePtr = ptr;
                ret = true;
                label = L_EXIT;
                continue;
              }
              this.lastmarkSave(ctx);
              if (this.repeat) this.markPush(ctx);
              label = L_MIN_REPEAT_ONE_LOOP;
              continue;
            }
            case OP_POSSESSIVE_REPEAT_ONE: {
              const min = code[pc + 1] ?? 0;
              if (ptr + min > end) {
                ret = false;
                label = L_EXIT;
                continue;
              }
              this.statePtr = ptr;
              ctx.count = this.count(pc + 3, code[pc + 2] ?? 0);
              ptr += ctx.count;
              if (ctx.count < min) {
                ret = false;
                label = L_EXIT;
                continue;
              }
              pc += code[pc] ?? 0;
              if (code[pc] === OP_SUCCESS && ptr === end) {
                this.statePtr = ptr;
                ret = true;
                label = L_EXIT;
              }
              continue;
            }
            case OP_REPEAT: {
              const rep: Repeat = { count: -1, pc, prev: this.repeat, lastPtr: NULL };
              ctx.rep = rep;
              this.repeat = rep;
              this.statePtr = ptr;
              doJump(JUMP_REPEAT, pc + (code[pc] ?? 0), ctx.toplevel);
              continue;
            }
            case OP_MAX_UNTIL: {
              const rep = this.repeat;
              if (rep === null) throw new Error('sre emulation: MAX_UNTIL outside a repeat');
              ctx.rep = rep;
              this.statePtr = ptr;
              ctx.count = rep.count + 1;
              if (ctx.count < (code[rep.pc + 1] ?? 0)) {
                rep.count = ctx.count;
                doJump(JUMP_MAX_UNTIL_1, rep.pc + 3, ctx.toplevel);
                continue;
              }
              const max = code[rep.pc + 2] ?? 0;
              if ((ctx.count < max || max === SRE_MAXREPEAT) && this.statePtr !== rep.lastPtr) {
                rep.count = ctx.count;
                this.lastmarkSave(ctx);
                this.markPush(ctx);
                ctx.savedLastPtr = rep.lastPtr;
                rep.lastPtr = this.statePtr;
                doJump(JUMP_MAX_UNTIL_2, rep.pc + 3, ctx.toplevel);
                continue;
              }
              label = L_MAX_UNTIL_TAIL;
              continue;
            }
            case OP_MIN_UNTIL: {
              const rep = this.repeat;
              if (rep === null) throw new Error('sre emulation: MIN_UNTIL outside a repeat');
              ctx.rep = rep;
              this.statePtr = ptr;
              ctx.count = rep.count + 1;
              if (ctx.count < (code[rep.pc + 1] ?? 0)) {
                rep.count = ctx.count;
                doJump(JUMP_MIN_UNTIL_1, rep.pc + 3, ctx.toplevel);
                continue;
              }
              this.repeat = rep.prev;
              this.lastmarkSave(ctx);
              if (this.repeat) this.markPush(ctx);
              doJump(JUMP_MIN_UNTIL_2, pc, ctx.toplevel);
              continue;
            }
            case OP_POSSESSIVE_REPEAT:
              this.statePtr = ptr;
              ctx.count = 0;
              label = L_POSS_REPEAT_MIN_LOOP;
              continue;
            case OP_ATOMIC_GROUP:
              this.statePtr = ptr;
              doJump(JUMP_ATOMIC_GROUP, pc + 1, false);
              continue;
            case OP_GROUPREF:
            case OP_GROUPREF_IGNORE: {
              const groupref = (code[pc] ?? 0) * 2;
              const fold =
                op === OP_GROUPREF_IGNORE ? this.program.caseFold[code[pc + 1] ?? 0] : undefined;
              let ok = groupref < this.lastmark;
              if (ok) {
                let p = this.mark[groupref] ?? NULL;
                const e = this.mark[groupref + 1] ?? NULL;
                ok = p !== NULL && e !== NULL && e >= p;
                while (ok && p < e) {
                  const a = s[ptr] ?? 0;
                  const b = s[p] ?? 0;
                  if (ptr >= end || (fold ? !fold(a, b) : a !== b)) ok = false;
                  p += 1;
                  ptr += 1;
                }
              }
              if (!ok) {
                ret = false;
                label = L_EXIT;
                continue;
              }
              pc += fold ? 2 : 1;
              continue;
            }
            case OP_ASSERT: {
              const back = code[pc + 1] ?? 0;
              if (ptr < back) {
                ret = false;
                label = L_EXIT;
                continue;
              }
              this.statePtr = ptr - back;
              doJump(JUMP_ASSERT, pc + 2, false);
              continue;
            }
            case OP_ASSERT_NOT: {
              const back = code[pc + 1] ?? 0;
              if (ptr >= back) {
                this.statePtr = ptr - back;
                this.lastmarkSave(ctx);
                if (this.repeat) this.markPush(ctx);
                doJump(JUMP_ASSERT_NOT, pc + 2, false);
                continue;
              }
              pc += code[pc] ?? 0;
              continue;
            }
            case OP_FAILURE:
              ret = false;
              label = L_EXIT;
              continue;
            default:
              throw new Error(`sre emulation: unknown operator ${String(op)}`);
          }
        }

        case L_BRANCH_LOOP: {
          // for (; pattern[0]; pattern += pattern[0]) { ... DO_JUMP(JUMP_BRANCH, pattern+1) }
          let jumped = false;
          while (code[pc]) {
            const first = code[pc + 1];
            const arg = code[pc + 2] ?? 0;
            if (first === OP_LITERAL && (ptr >= end || s[ptr] !== arg)) {
              pc += code[pc] ?? 0;
              continue;
            }
            if (
              first === OP_IN &&
              (ptr >= end || !(this.program.sets[arg]?.(s[ptr] ?? 0) ?? false))
            ) {
              pc += code[pc] ?? 0;
              continue;
            }
            this.statePtr = ptr;
            doJump(JUMP_BRANCH, pc + 1, ctx.toplevel);
            jumped = true;
            break;
          }
          if (jumped) continue;
          if (this.repeat) this.markDiscard(ctx);
          ret = false;
          label = L_EXIT;
          continue;
        }

        case L_REPEAT_ONE_1_LOOP: {
          const min = code[pc + 1] ?? 0;
          while (ctx.count >= min && (ptr >= end || s[ptr] !== ctx.chr)) {
            ptr -= 1;
            ctx.count -= 1;
          }
          if (ctx.count < min) {
            if (this.repeat) this.markDiscard(ctx);
            ret = false;
            label = L_EXIT;
            continue;
          }
          this.statePtr = ptr;
          doJump(JUMP_REPEAT_ONE_1, pc + (code[pc] ?? 0), ctx.toplevel);
          continue;
        }

        case L_REPEAT_ONE_2_LOOP: {
          if (ctx.count < (code[pc + 1] ?? 0)) {
            if (this.repeat) this.markDiscard(ctx);
            ret = false;
            label = L_EXIT;
            continue;
          }
          this.statePtr = ptr;
          doJump(JUMP_REPEAT_ONE_2, pc + (code[pc] ?? 0), ctx.toplevel);
          continue;
        }

        case L_MIN_REPEAT_ONE_LOOP: {
          const max = code[pc + 2] ?? 0;
          if (max === SRE_MAXREPEAT || ctx.count <= max) {
            this.statePtr = ptr;
            doJump(JUMP_MIN_REPEAT_ONE, pc + (code[pc] ?? 0), ctx.toplevel);
            continue;
          }
          if (this.repeat) this.markDiscard(ctx);
          ret = false;
          label = L_EXIT;
          continue;
        }

        case L_MAX_UNTIL_TAIL: {
          const rep = ctx.rep as Repeat;
          this.repeat = rep.prev;
          doJump(JUMP_MAX_UNTIL_3, pc, ctx.toplevel);
          continue;
        }

        case L_POSS_REPEAT_MIN_LOOP: {
          if (ctx.count < (code[pc + 1] ?? 0)) {
            doJump(JUMP_POSS_REPEAT_1, pc + 3, false);
            continue;
          }
          ptr = NULL;
          label = L_POSS_REPEAT_MAX_LOOP;
          continue;
        }

        case L_POSS_REPEAT_MAX_LOOP: {
          const max = code[pc + 2] ?? 0;
          if ((ctx.count < max || max === SRE_MAXREPEAT) && this.statePtr !== ptr) {
            this.lastmarkSave(ctx);
            this.markPush(ctx);
            ptr = this.statePtr;
            doJump(JUMP_POSS_REPEAT_2, pc + 3, false);
            continue;
          }
          label = L_POSS_REPEAT_TAIL;
          continue;
        }

        case L_POSS_REPEAT_TAIL:
          pc += (code[pc] ?? 0) + 1;
          ptr = this.statePtr;
          label = L_DISPATCH;
          continue;

        case L_EXIT: {
          const jump = ctx.jump;
          if (depth === 0) return ret;
          depth -= 1;
          ctx = stack[depth] as Context;
          pc = ctx.pc;
          ptr = ctx.ptr;
          label = L_EXIT;
          switch (jump) {
            case JUMP_REPEAT:
              this.repeat = (ctx.rep as Repeat).prev;
              continue;
            case JUMP_MAX_UNTIL_1:
            case JUMP_MIN_UNTIL_1:
              if (ret) continue;
              (ctx.rep as Repeat).count = ctx.count - 1;
              this.statePtr = ptr;
              continue;
            case JUMP_MAX_UNTIL_2: {
              const rep = ctx.rep as Repeat;
              rep.lastPtr = ctx.savedLastPtr;
              if (ret) {
                this.markDiscard(ctx);
                continue;
              }
              this.markPop(ctx);
              this.lastmarkRestore(ctx);
              rep.count = ctx.count - 1;
              this.statePtr = ptr;
              label = L_MAX_UNTIL_TAIL;
              continue;
            }
            case JUMP_MAX_UNTIL_3:
              this.repeat = ctx.rep;
              if (!ret) this.statePtr = ptr;
              continue;
            case JUMP_MIN_UNTIL_2: {
              const rep = ctx.rep as Repeat;
              const repeatOfTail = this.repeat;
              this.repeat = rep;
              if (ret) {
                if (repeatOfTail) this.markDiscard(ctx);
                continue;
              }
              if (repeatOfTail) this.markPop(ctx);
              this.lastmarkRestore(ctx);
              this.statePtr = ptr;
              const max = code[rep.pc + 2] ?? 0;
              if ((ctx.count >= max && max !== SRE_MAXREPEAT) || this.statePtr === rep.lastPtr) {
                continue;
              }
              rep.count = ctx.count;
              ctx.savedLastPtr = rep.lastPtr;
              rep.lastPtr = this.statePtr;
              doJump(JUMP_MIN_UNTIL_3, rep.pc + 3, ctx.toplevel);
              continue;
            }
            case JUMP_MIN_UNTIL_3: {
              const rep = ctx.rep as Repeat;
              rep.lastPtr = ctx.savedLastPtr;
              if (ret) continue;
              rep.count = ctx.count - 1;
              this.statePtr = ptr;
              continue;
            }
            case JUMP_BRANCH:
              if (ret) {
                if (this.repeat) this.markDiscard(ctx);
                continue;
              }
              if (this.repeat) this.markPopKeep(ctx);
              this.lastmarkRestore(ctx);
              pc += code[pc] ?? 0;
              label = L_BRANCH_LOOP;
              continue;
            case JUMP_REPEAT_ONE_1:
            case JUMP_REPEAT_ONE_2:
              if (ret) {
                if (this.repeat) this.markDiscard(ctx);
                continue;
              }
              if (this.repeat) this.markPopKeep(ctx);
              this.lastmarkRestore(ctx);
              ptr -= 1;
              ctx.count -= 1;
              label = jump === JUMP_REPEAT_ONE_1 ? L_REPEAT_ONE_1_LOOP : L_REPEAT_ONE_2_LOOP;
              continue;
            case JUMP_MIN_REPEAT_ONE:
              if (ret) {
                if (this.repeat) this.markDiscard(ctx);
                continue;
              }
              if (this.repeat) this.markPopKeep(ctx);
              this.lastmarkRestore(ctx);
              this.statePtr = ptr;
              if (this.count(pc + 3, 1) === 0) {
                if (this.repeat) this.markDiscard(ctx);
                continue;
              }
              ptr += 1;
              ctx.count += 1;
              label = L_MIN_REPEAT_ONE_LOOP;
              continue;
            case JUMP_POSS_REPEAT_1:
              if (!ret) {
                this.statePtr = ptr;
                continue;
              }
              ctx.count += 1;
              label = L_POSS_REPEAT_MIN_LOOP;
              continue;
            case JUMP_POSS_REPEAT_2:
              if (ret) {
                this.markDiscard(ctx);
                ctx.count += 1;
                label = L_POSS_REPEAT_MAX_LOOP;
                continue;
              }
              this.markPop(ctx);
              this.lastmarkRestore(ctx);
              this.statePtr = ptr;
              label = L_POSS_REPEAT_TAIL;
              continue;
            case JUMP_ATOMIC_GROUP:
              if (!ret) {
                this.statePtr = ptr;
                continue;
              }
              pc += code[pc] ?? 0;
              ptr = this.statePtr;
              label = L_DISPATCH;
              continue;
            case JUMP_ASSERT:
              if (!ret) continue;
              pc += code[pc] ?? 0;
              label = L_DISPATCH;
              continue;
            case JUMP_ASSERT_NOT:
              if (ret) {
                if (this.repeat) this.markDiscard(ctx);
                ret = false;
                continue;
              }
              if (this.repeat) this.markPop(ctx);
              this.lastmarkRestore(ctx);
              pc += code[pc] ?? 0;
              label = L_DISPATCH;
              continue;
            default:
              throw new Error(`sre emulation: unknown jump ${jump}`);
          }
        }
      }
    }
  }
}

/** A Python pattern matched by the `sre` emulation. */
export class SreRegex {
  constructor(
    private readonly program: SreProgram,
    private readonly pattern: string,
    private readonly stepBudget: number = DEFAULT_STEP_BUDGET,
  ) {}

  /** Python `pattern.match(subject)`: group values, or null. Throws {@link RegexStepLimitError}. */
  match(subject: string, subjectIsAscii: boolean): SreMatch | null {
    let cps: number[];
    let offsets: number[] | null = null;
    if (subjectIsAscii) {
      cps = new Array<number>(subject.length);
      for (let i = 0; i < subject.length; i += 1) cps[i] = subject.charCodeAt(i);
    } else {
      ({ cps, offsets } = codePoints(subject));
    }
    const matcher = new Matcher(this.program, cps, this.stepBudget, this.pattern);
    if (!matcher.run()) return null;
    const slice = (start: number, end: number): string =>
      offsets === null
        ? subject.slice(start, end)
        : subject.slice(offsets[start] ?? 0, offsets[end] ?? 0);
    const groups: SreMatch = [slice(0, matcher.endPtr)];
    for (let group = 1; group <= this.program.groupCount; group += 1) {
      const span = matcher.groupSpan(group);
      groups.push(span === null ? undefined : slice(span[0], span[1]));
    }
    return groups;
  }

  /** Python `match.span(group)` for every group, for tests: [start, end] in code points or null. */
  spans(subject: string): ([number, number] | null)[] | null {
    const { cps } = codePoints(subject);
    const matcher = new Matcher(this.program, cps, this.stepBudget, this.pattern);
    if (!matcher.run()) return null;
    const spans: ([number, number] | null)[] = [[0, matcher.endPtr]];
    for (let group = 1; group <= this.program.groupCount; group += 1) {
      spans.push(matcher.groupSpan(group));
    }
    return spans;
  }
}

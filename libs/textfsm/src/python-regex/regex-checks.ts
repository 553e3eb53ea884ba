/**
 * Decides, per pattern, between the native JavaScript RegExp translation (the
 * fast path) and the emulation of Python's `sre` matcher
 * ({@link ./regex-backtracker}). The native translation is used unless the
 * pattern contains one of the constructs on which JavaScript and Python's `re`
 * can return different group values or a different match:
 * - a capture group inside a repetition that is not matched in every
 *   iteration (JavaScript clears it at each iteration, Python keeps the value
 *   of the last iteration in which it participated);
 * - a repetition whose body can match the empty string and contains a capture
 *   group, an alternation or a lazy quantifier (Python accepts one empty
 *   iteration, keeps its captures and stops iterating; JavaScript rejects the
 *   empty iteration and backtracks into the body's other choices);
 * - a backreference to a group that may not have participated (JavaScript
 *   matches the empty string, Python fails).
 * Those patterns are matched by the emulation, which reproduces `sre`
 * (CPython 3.11) step by step. Nothing is refused here any more: the
 * constructs this engine cannot handle at all are refused by the parser and
 * the emitter.
 *
 * {@link nativePrefilterIsSound} tells when the native RegExp can still be used
 * to reject non-matching subjects before the emulation runs.
 */
import type { ParsedRegex, RegexNode } from './regex-ast';
import { widthOf } from './regex-parser';

function hasCaptureOrChoiceOrder(node: RegexNode): boolean {
  switch (node.kind) {
    case 'group':
      return node.index !== null || hasCaptureOrChoiceOrder(node.body);
    case 'alternation':
      return true;
    case 'repeat':
      return node.mode === 'lazy' || hasCaptureOrChoiceOrder(node.body);
    case 'sequence':
      return node.items.some(hasCaptureOrChoiceOrder);
    case 'flagGroup':
    case 'atomic':
    case 'look':
      return hasCaptureOrChoiceOrder(node.body);
    default:
      return false;
  }
}

interface Context {
  /** Inside a repetition that can iterate more than once. */
  readonly inRepeat: boolean;
  /** The node may be skipped within an iteration of the enclosing repetition. */
  readonly optionalInRepeat: boolean;
  /** The node may not participate in a successful match at all. */
  readonly optional: boolean;
}

class Checker {
  readonly optionalGroups = new Set<number>();
  readonly reasons: string[] = [];

  visit(node: RegexNode, ctx: Context): void {
    switch (node.kind) {
      case 'sequence':
        node.items.forEach((item) => this.visit(item, ctx));
        return;
      case 'alternation':
        node.alternatives.forEach((alt) =>
          this.visit(alt, { ...ctx, optional: true, optionalInRepeat: ctx.inRepeat }),
        );
        return;
      case 'group':
        if (node.index !== null) this.checkGroup(node.index, ctx);
        this.visit(node.body, ctx);
        return;
      case 'flagGroup':
      case 'atomic':
        this.visit(node.body, ctx);
        return;
      case 'look':
        this.visit(node.body, node.negate ? { ...ctx, optional: true } : ctx);
        return;
      case 'repeat':
        if (node.max > node.min) this.checkNullableRepeat(node.body);
        this.visit(node.body, {
          inRepeat: ctx.inRepeat || node.max > 1,
          optionalInRepeat: ctx.inRepeat && (ctx.optionalInRepeat || node.min === 0),
          optional: ctx.optional || node.min === 0,
        });
        return;
      case 'backref':
        if (this.optionalGroups.has(node.index)) {
          this.reasons.push(
            `backreference to group ${node.index}, which may not participate in the match`,
          );
        }
        return;
      default:
        return;
    }
  }

  /**
   * Python ends a loop after an iteration that matched the empty string (keeping
   * that iteration's captures); JavaScript rejects such an iteration and backtracks
   * into the body's other choices. Results agree only for capture-free bodies
   * whose choices are all greedy and free of alternation.
   */
  private checkNullableRepeat(body: RegexNode): void {
    if (widthOf(body, { groupWidths: [] }).lo > 0) return;
    if (hasCaptureOrChoiceOrder(body)) {
      this.reasons.push(
        'a repetition whose body can match the empty string contains a capture group, ' +
          'an alternation or a lazy quantifier',
      );
    }
  }

  private checkGroup(index: number, ctx: Context): void {
    if (ctx.inRepeat && ctx.optionalInRepeat) {
      this.reasons.push(
        `capture group ${index} is inside a repetition but not matched by every iteration`,
      );
    }
    if (ctx.optional) this.optionalGroups.add(index);
  }
}

/**
 * Why the native JavaScript translation could differ from Python on this
 * pattern (empty: the native RegExp is exact and is used).
 */
export function divergenceReasons(parsed: ParsedRegex): string[] {
  const checker = new Checker();
  checker.visit(parsed.root, { inRepeat: false, optionalInRepeat: false, optional: false });
  return checker.reasons;
}

function hasCommittingConstruct(node: RegexNode): boolean {
  switch (node.kind) {
    case 'backref':
    case 'atomic':
      return true;
    case 'repeat':
      return node.mode === 'possessive' || hasCommittingConstruct(node.body);
    case 'sequence':
      return node.items.some(hasCommittingConstruct);
    case 'alternation':
      return node.alternatives.some(hasCommittingConstruct);
    case 'group':
    case 'flagGroup':
    case 'look':
      return hasCommittingConstruct(node.body);
    default:
      return false;
  }
}

/**
 * Whether the native RegExp matches exactly the subjects Python matches (only
 * the group values may differ), so that it can reject subjects before the
 * emulation runs. Both engines explore every path of a backtracking search;
 * the divergences above only change which path is found first (never whether
 * one exists), except where the first path is committed to or observed:
 * backreferences (they read group values), atomic groups and possessive
 * repeats (they cut the search after the first path). Lookarounds are
 * harmless: their bodies only answer "a path exists".
 */
export function nativePrefilterIsSound(parsed: ParsedRegex): boolean {
  return !hasCommittingConstruct(parsed.root);
}

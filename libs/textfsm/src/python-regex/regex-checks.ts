/**
 * Rejects the few constructs whose JavaScript translation would silently
 * behave differently from Python's `re`:
 * - a capture group inside a repetition that is not matched in every
 *   iteration (JavaScript clears it at each iteration, Python keeps the
 *   previous value);
 * - a backreference to a group that may not have participated (JavaScript
 *   matches the empty string, Python fails).
 */
import type { ParsedRegex, RegexNode } from './regex-ast';
import { PythonRegexError, widthOf } from './regex-parser';

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

  constructor(private readonly parsed: ParsedRegex) {}

  private fail(reason: string): never {
    throw new PythonRegexError(reason, this.parsed.pattern, undefined);
  }

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
          this.fail(
            `backreference to group ${node.index}, which may not participate in the match, is not supported by this engine`,
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
      this.fail(
        'a repetition whose body can match the empty string and contains a capture group, ' +
          'an alternation or a lazy quantifier is not supported by this engine (Python and JavaScript disagree on it)',
      );
    }
  }

  private checkGroup(index: number, ctx: Context): void {
    if (ctx.inRepeat && ctx.optionalInRepeat) {
      this.fail(
        `capture group ${index} is inside a repetition but not matched by every iteration; ` +
          'JavaScript would reset it where Python keeps the previous value (unsupported by this engine)',
      );
    }
    if (ctx.optional) this.optionalGroups.add(index);
  }
}

export function checkSupported(parsed: ParsedRegex): void {
  new Checker(parsed).visit(parsed.root, {
    inRepeat: false,
    optionalInRepeat: false,
    optional: false,
  });
}

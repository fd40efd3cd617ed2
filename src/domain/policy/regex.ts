// The bounded regex behind the `matches` operator. JavaScript's engine backtracks, and a star
// height check alone does not stop that from hanging: `.*a.*b` has no nested quantifier and still
// takes minutes on 10,000 characters. So patterns run on a Thompson NFA simulation instead (a Pike
// VM without captures): time is at most input length × program size, whatever the pattern.
import { parseRegex, RegexSyntaxError, type RegexNode } from './regex-parse.js';
import { assemble, run, type Inst } from './regex-vm.js';

export { RegexSyntaxError };

export const MAX_REGEX_LENGTH = 200;
export const MAX_REGEX_INPUT = 10_000;
/** Bounds the work per input character. */
const MAX_PROGRAM = 400;

export interface SafeRegex {
  readonly source: string;
  /** Like RegExp.prototype.test (unanchored unless the pattern uses ^ and $). */
  test(input: string): boolean;
}

/** Throws RegexSyntaxError with a reason written for whoever wrote the pattern. */
export function compileSafeRegex(source: string): SafeRegex {
  if (source.length > MAX_REGEX_LENGTH) throw new RegexSyntaxError(`a matches pattern is at most ${MAX_REGEX_LENGTH} characters`);
  const tree = parseRegex(source);
  if (nestedRepeat(tree, false)) {
    // Harmless to this matcher, but catastrophic in every backtracking engine a pattern may be
    // copied into; refusing keeps stored policies portable.
    throw new RegexSyntaxError('nested quantifiers such as (a+)+ are not allowed');
  }
  return build(source, tree);
}

/** The engine alone, without the policy rules on length and nesting (it is linear regardless). */
export function compileLinearRegex(source: string): SafeRegex {
  return build(source, parseRegex(source));
}

function build(source: string, tree: RegexNode): SafeRegex {
  const program: Inst[] = [];
  emit(tree, program);
  program.push({ op: 'match' });
  if (program.length > MAX_PROGRAM) throw tooComplex();
  const machine = assemble(program);
  return { source, test: (input) => run(machine, input) };
}

/** Why `source` is not a usable matches pattern, or undefined. */
export function regexProblem(source: string): string | undefined {
  try {
    compileSafeRegex(source);
    return undefined;
  } catch (e) {
    if (e instanceof RegexSyntaxError) return e.message;
    throw e;
  }
}

const tooComplex = () => new RegexSyntaxError('pattern is too complex: use fewer or smaller {n,m} counts');

function nestedRepeat(node: RegexNode, insideRepeat: boolean): boolean {
  switch (node.type) {
    case 'seq':
      return node.items.some((n) => nestedRepeat(n, insideRepeat));
    case 'alt':
      return node.options.some((n) => nestedRepeat(n, insideRepeat));
    case 'repeat':
      if (node.max <= 1) return nestedRepeat(node.node, insideRepeat);
      return insideRepeat || nestedRepeat(node.node, true);
    default:
      return false;
  }
}

function emit(node: RegexNode, out: Inst[]): void {
  if (out.length > MAX_PROGRAM) throw tooComplex();
  switch (node.type) {
    case 'char':
      out.push({ op: 'char', test: node.test });
      return;
    case 'start':
    case 'end':
      out.push({ op: node.type });
      return;
    case 'seq':
      for (const item of node.items) emit(item, out);
      return;
    case 'alt': {
      const jumps: { op: 'jmp'; x: number }[] = [];
      node.options.forEach((option, i) => {
        const split = { op: 'split' as const, x: out.length + 1, y: -1 };
        const last = i === node.options.length - 1;
        if (!last) out.push(split);
        emit(option, out);
        if (last) return;
        const jump = { op: 'jmp' as const, x: -1 };
        jumps.push(jump);
        out.push(jump);
        split.y = out.length;
      });
      for (const jump of jumps) jump.x = out.length;
      return;
    }
    case 'repeat': {
      for (let i = 0; i < node.min; i++) emit(node.node, out);
      if (node.max === Infinity) {
        const top = out.length;
        const loop = { op: 'split' as const, x: top + 1, y: -1 };
        out.push(loop);
        emit(node.node, out);
        out.push({ op: 'jmp', x: top });
        loop.y = out.length;
        return;
      }
      const exits: { op: 'split'; x: number; y: number }[] = [];
      for (let i = node.min; i < node.max; i++) {
        const optional = { op: 'split' as const, x: out.length + 1, y: -1 };
        exits.push(optional);
        out.push(optional);
        emit(node.node, out);
      }
      for (const exit of exits) exit.y = out.length;
      return;
    }
  }
}

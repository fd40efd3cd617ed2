// Extra patterns come from configuration and run over every string of every payload, in
// JavaScript's backtracking engine. Two shapes make that engine slow on long input: a repeated
// group that itself repeats or branches (`(a+)+`, `(a|ab)*`: exponential), and an unbounded
// repetition (`\w+x`: each start position scans to the end of a 1 MB string, so quadratic). Both
// are refused; bounded counts such as {1,64} keep the work per position constant.

export const MAX_PATTERN_LENGTH = 200;
/** Largest count allowed in {n,m} of a configured pattern. */
export const MAX_PATTERN_COUNT = 1024;

interface Frame {
  repeats: boolean;
  branches: boolean;
}

/** Why `source` is unsafe as a redaction pattern, or undefined. Syntax is checked separately. */
export function quantifierProblem(source: string, maxCount = Infinity): string | undefined {
  const stack: Frame[] = [{ repeats: false, branches: false }];
  let unbounded: string | undefined;
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    let atomEnd = i + 1;
    let group: Frame | undefined;
    if (c === '\\') {
      atomEnd = i + 2;
    } else if (c === '[') {
      atomEnd = classEnd(source, i);
    } else if (c === '(') {
      stack.push({ repeats: false, branches: false });
      i++;
      continue;
    } else if (c === ')') {
      group = stack.pop();
      if (!group || stack.length === 0) return `unbalanced ')' at position ${i}`;
    } else if (c === '|') {
      stack[stack.length - 1]!.branches = true;
      i++;
      continue;
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      // A quantifier right after '(' or '|' or at the start quantifies nothing; the syntax check
      // reports it. `(?:`, `(?=`, `(?<name>` were stepped over with their '('.
      if (c === '?' && source[i - 1] === '(') {
        i++;
        continue;
      }
    }
    const q = readQuantifier(source, atomEnd);
    if (q) {
      if (group && q.max > 1 && (group.repeats || group.branches)) {
        return group.repeats
          ? `it nests quantifiers (a repeated group contains a repetition, as in (a+)+, before position ${atomEnd})`
          : `it repeats a group with alternatives (as in (a|ab)+, before position ${atomEnd})`;
      }
      // Reported only if nothing worse turns up: nesting is the more useful thing to hear about.
      if (q.max === Infinity) unbounded ??= `it repeats without a bound ('${q.text}' at position ${atomEnd}); use a count such as {1,64}`;
      else if (q.max > maxCount) unbounded ??= `the count '${q.text}' at position ${atomEnd} is above ${maxCount}`;
    }
    const frame = stack[stack.length - 1]!;
    if ((q && q.max > 1) || group?.repeats) frame.repeats = true;
    // `((a|ab))+` is as bad as `(a|ab)+`: alternatives count for every enclosing group.
    if (group?.branches) frame.branches = true;
    i = q ? q.end : atomEnd;
  }
  return stack.length === 1 ? unbounded : 'it has an unclosed group';
}

/** Index after the class opened at `start` (in JavaScript `[]` is empty and `[^]` is any). */
function classEnd(source: string, start: number): number {
  let i = start + 1;
  if (source[i] === '^') i++;
  while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
  return i + 1;
}

function readQuantifier(source: string, at: number): { max: number; end: number; text: string } | undefined {
  const c = source[at];
  let max: number;
  let end = at + 1;
  if (c === '*' || c === '+') max = Infinity;
  else if (c === '?') max = 1;
  else if (c === '{') {
    const m = /^\{(\d{1,9})(,(\d{0,9}))?\}/.exec(source.slice(at, at + 24));
    if (!m) return undefined;
    max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
    end = at + m[0].length;
  } else return undefined;
  if (source[end] === '?') end++;
  return { max, end, text: source.slice(at, end) };
}

const KIND = /^[a-z][a-z0-9_]{0,31}$/;

/** Compiles a configured pattern, or throws an Error naming it and saying what to change. */
export function compileExtraPattern(kind: string, pattern: string): RegExp {
  const reject = (why: string) => new Error(`Redaction pattern '${pattern}' (kind '${kind}') is rejected: ${why}.`);
  if (!KIND.test(kind)) throw reject('its kind must be 1-32 lowercase letters, digits or _, starting with a letter');
  if (pattern.length === 0) throw reject('it is empty');
  if (pattern.length > MAX_PATTERN_LENGTH) throw reject(`it is longer than ${MAX_PATTERN_LENGTH} characters`);
  let compiled: RegExp;
  try {
    compiled = new RegExp(pattern, 'g');
  } catch (e) {
    throw reject(`it is not a valid regular expression (${e instanceof Error ? e.message : String(e)})`);
  }
  const problem = quantifierProblem(pattern, MAX_PATTERN_COUNT);
  if (problem) throw reject(problem);
  if (new RegExp(`^(?:${pattern})$`).test('')) throw reject('it matches the empty string');
  return compiled;
}

// Parser for the regex dialect of the `matches` operator: the everyday subset of JavaScript
// regexes (literals, `.`, classes, \d \w \s, groups, `|`, `* + ? {n,m}`, `^ $`). Constructs that no
// linear-time matcher can run (backreferences, lookaround) are refused with a reason, not ignored.

export type CharTest = (code: number) => boolean;

export type RegexNode =
  | { type: 'char'; test: CharTest }
  | { type: 'seq'; items: RegexNode[] }
  | { type: 'alt'; options: RegexNode[] }
  | { type: 'repeat'; node: RegexNode; min: number; max: number }
  | { type: 'start' }
  | { type: 'end' };

export class RegexSyntaxError extends Error {}

/** Counted repetition is expanded into states, so counts stay small. */
export const MAX_REPEAT_COUNT = 100;

const inRange = (lo: number, hi: number): CharTest => (c) => c >= lo && c <= hi;
const isDigit = inRange(48, 57);
const isWord: CharTest = (c) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const SPACES = new Set([32, 160, 5760, 8232, 8233, 8239, 8287, 12288, 65279]);
const isSpace: CharTest = (c) => (c >= 9 && c <= 13) || (c >= 8192 && c <= 8202) || SPACES.has(c);
const isLineEnd: CharTest = (c) => c === 10 || c === 13 || c === 8232 || c === 8233;
const not = (t: CharTest): CharTest => (c) => !t(c);
const CLASS_ESCAPES: Record<string, CharTest> = { d: isDigit, D: not(isDigit), w: isWord, W: not(isWord), s: isSpace, S: not(isSpace) };
const CONTROL_ESCAPES: Record<string, number> = { t: 9, n: 10, v: 11, f: 12, r: 13 };
const QUANTIFIER = /^\{(\d+)(,(\d*))?\}/;

export function parseRegex(source: string): RegexNode {
  return new Parser(source).parse();
}

class Parser {
  private at = 0;
  constructor(private readonly s: string) {}

  parse(): RegexNode {
    const node = this.alternation();
    if (this.at < this.s.length) throw new RegexSyntaxError(`unmatched ')' at position ${this.at}`);
    return node;
  }

  private alternation(): RegexNode {
    const options = [this.sequence()];
    while (this.s[this.at] === '|') {
      this.at++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { type: 'alt', options };
  }

  private sequence(): RegexNode {
    const items: RegexNode[] = [];
    while (this.at < this.s.length && this.s[this.at] !== '|' && this.s[this.at] !== ')') items.push(this.quantified());
    return { type: 'seq', items };
  }

  private quantified(): RegexNode {
    const node = this.atom();
    const q = this.quantifier();
    if (!q) return node;
    if (node.type === 'start' || node.type === 'end') throw new RegexSyntaxError('nothing to repeat: ^ and $ cannot take a quantifier');
    if (this.s[this.at] === '?') this.at++; // lazy or greedy gives the same yes/no answer
    return { type: 'repeat', node, ...q };
  }

  private quantifier(): { min: number; max: number } | undefined {
    const c = this.s[this.at];
    if (c === '*' || c === '+' || c === '?') {
      this.at++;
      return { min: c === '+' ? 1 : 0, max: c === '?' ? 1 : Infinity };
    }
    const m = c === '{' ? QUANTIFIER.exec(this.s.slice(this.at)) : null;
    if (!m) return undefined;
    this.at += m[0].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (max < min) throw new RegexSyntaxError(`{${min},${max}}: the numbers are out of order`);
    if (Math.max(min, max === Infinity ? 0 : max) > MAX_REPEAT_COUNT) throw new RegexSyntaxError(`repetition counts are at most ${MAX_REPEAT_COUNT}`);
    return { min, max };
  }

  private atom(): RegexNode {
    const c = this.s[this.at++]!;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return { type: 'char', test: this.charClass() };
      case '.':
        return { type: 'char', test: not(isLineEnd) };
      case '^':
        return { type: 'start' };
      case '$':
        return { type: 'end' };
      case '\\': {
        const e = this.escape();
        return { type: 'char', test: typeof e === 'number' ? (x) => x === e : e };
      }
      case '*':
      case '+':
      case '?':
        throw new RegexSyntaxError(`nothing to repeat before '${c}' at position ${this.at - 1}`);
      default: {
        if (c === '{' && QUANTIFIER.test(this.s.slice(this.at - 1))) throw new RegexSyntaxError(`nothing to repeat before '{' at position ${this.at - 1}`);
        const code = c.charCodeAt(0);
        return { type: 'char', test: (x) => x === code };
      }
    }
  }

  private group(): RegexNode {
    if (this.s.startsWith('?:', this.at)) this.at += 2;
    else if (this.s[this.at] === '?') throw new RegexSyntaxError('lookaround and named groups are not supported; use (...) or (?:...)');
    const node = this.alternation();
    if (this.s[this.at] !== ')') throw new RegexSyntaxError("missing ')'");
    this.at++;
    return node;
  }

  private charClass(): CharTest {
    const negate = this.s[this.at] === '^';
    if (negate) this.at++;
    const tests: CharTest[] = [];
    while (this.s[this.at] !== ']') {
      if (this.at >= this.s.length) throw new RegexSyntaxError("unterminated character class: missing ']'");
      const lo = this.classAtom();
      if (typeof lo === 'number' && this.s[this.at] === '-' && this.at + 1 < this.s.length && this.s[this.at + 1] !== ']') {
        this.at++;
        const hi = this.classAtom();
        if (typeof hi === 'number') {
          if (hi < lo) throw new RegexSyntaxError('character class range out of order');
          tests.push(inRange(lo, hi));
          continue;
        }
        tests.push((x) => x === lo || x === 45, hi); // `[a-\d]` is a, '-', or a digit, as in JavaScript
        continue;
      }
      tests.push(typeof lo === 'number' ? (x) => x === lo : lo);
    }
    this.at++;
    return (c) => tests.some((t) => t(c)) !== negate;
  }

  private classAtom(): number | CharTest {
    const c = this.s[this.at++]!;
    return c === '\\' ? this.escape() : c.charCodeAt(0);
  }

  private escape(): number | CharTest {
    const c = this.s[this.at++];
    if (c === undefined) throw new RegexSyntaxError('pattern ends with a lone backslash');
    const cls = CLASS_ESCAPES[c];
    if (cls) return cls;
    const control = CONTROL_ESCAPES[c];
    if (control !== undefined) return control;
    if (c === '0' && !isDigit(this.s.charCodeAt(this.at))) return 0;
    if (c === 'x' || c === 'u') {
      const hex = this.s.slice(this.at, this.at + (c === 'x' ? 2 : 4));
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== (c === 'x' ? 2 : 4)) throw new RegexSyntaxError(`\\${c} needs ${c === 'x' ? 2 : 4} hex digits`);
      this.at += hex.length;
      return parseInt(hex, 16);
    }
    if (/[1-9]/.test(c)) throw new RegexSyntaxError('backreferences such as \\1 are not supported');
    if (/[a-zA-Z0-9]/.test(c)) throw new RegexSyntaxError(`the escape \\${c} is not supported`);
    return c.charCodeAt(0);
  }
}

// Condition operators. An operator either answers true/false or reports why it cannot answer
// (missing attribute, wrong types, bad regex, bad address or date); the evaluator then fails
// closed, which depends on the policy's effect, so this file only reports.
import { compileSafeRegex, MAX_REGEX_INPUT, RegexSyntaxError, type SafeRegex } from './regex.js';
import { isRef, type Condition, type Operator, type PolicyRequest } from './schema.js';
import { CannotEvaluate, deepEqual, formatValue, inCidrs, isPlainObject, parseCidrs, parseIp, toTime, type Cidr } from './values.js';

export type Outcome = { holds: boolean; actual: unknown } | { error: string };

/** Literal operands parsed once at compile time. */
export interface Prepared {
  regex?: SafeRegex;
  cidrs?: Cidr[];
}

/** Decides one condition from already-resolved operands (undefined = attribute absent). */
export function checkCondition(c: Condition, actual: unknown, expected: unknown, prepared: Prepared = {}): Outcome {
  try {
    if (c.operator === 'exists') {
      const want = expected ?? true;
      if (typeof want !== 'boolean') throw new CannotEvaluate('exists takes true or false');
      return { holds: (actual !== undefined) === want, actual };
    }
    if (actual === undefined) throw new CannotEvaluate(`attribute ${c.attribute} is missing`);
    if (expected === undefined) throw new CannotEvaluate(isRef(c.value) ? `attribute ${c.value.ref} is missing` : `${c.operator} needs a value`);
    return { holds: apply(c.operator, actual, expected, prepared), actual };
  } catch (e) {
    if (e instanceof CannotEvaluate) return { error: e.message };
    throw e;
  }
}

function apply(op: Operator, a: unknown, b: unknown, prepared: Prepared): boolean {
  switch (op) {
    case 'eq':
      return deepEqual(a, b);
    case 'ne':
      return !deepEqual(a, b);
    case 'in':
      return isIn(op, a, b);
    case 'not_in':
      return !isIn(op, a, b);
    case 'gt':
      return compare(op, a, b) > 0;
    case 'gte':
      return compare(op, a, b) >= 0;
    case 'lt':
      return compare(op, a, b) < 0;
    case 'lte':
      return compare(op, a, b) <= 0;
    case 'contains':
      if (typeof a === 'string' && typeof b === 'string') return a.includes(b);
      if (Array.isArray(a)) return a.some((x) => deepEqual(x, b));
      throw mismatch(op, 'a string and a substring, or an array and an element', a, b);
    case 'starts_with':
      if (typeof a === 'string' && typeof b === 'string') return a.startsWith(b);
      throw mismatch(op, 'two strings', a, b);
    case 'matches':
      if (typeof a !== 'string' || typeof b !== 'string') throw mismatch(op, 'a string and a regular expression', a, b);
      if (a.length > MAX_REGEX_INPUT) throw new CannotEvaluate(`value is longer than ${MAX_REGEX_INPUT} characters`);
      return (prepared.regex ?? regex(b)).test(a);
    case 'cidr':
      return inCidrs(parseIp(a), prepared.cidrs ?? parseCidrs(b));
    case 'before':
    case 'after': {
      const [ta, tb] = [toTime(a), toTime(b)];
      if (ta === undefined || tb === undefined) throw mismatch(op, 'two ISO 8601 dates', a, b);
      return op === 'before' ? ta < tb : ta > tb;
    }
    case 'exists':
      throw new CannotEvaluate('exists is decided before operands are compared');
  }
}

function isIn(op: Operator, a: unknown, b: unknown): boolean {
  if (!Array.isArray(b)) throw mismatch(op, 'an array of values', a, b);
  // An array attribute such as principal.roles is in the list when any element is.
  const items = Array.isArray(a) ? a : [a];
  return items.some((x) => b.some((y) => deepEqual(x, y)));
}

function compare(op: Operator, a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number' && !Number.isNaN(a) && !Number.isNaN(b)) return a - b;
  const [ta, tb] = [typeof a === 'number' ? undefined : toTime(a), typeof b === 'number' ? undefined : toTime(b)];
  if (ta !== undefined && tb !== undefined) return ta - tb;
  throw mismatch(op, 'two numbers or two ISO 8601 dates', a, b);
}

function regex(source: string): SafeRegex {
  try {
    return compileSafeRegex(source);
  } catch (e) {
    if (e instanceof RegexSyntaxError) throw new CannotEvaluate(`bad regular expression ${formatValue(source)}: ${e.message}`);
    throw e;
  }
}

function mismatch(op: Operator, wants: string, a: unknown, b: unknown): CannotEvaluate {
  return new CannotEvaluate(`${op} compares ${wants}, got ${formatValue(a)} and ${formatValue(b)}`);
}

export function describeCondition(c: Condition): string {
  const value = isRef(c.value) ? ` ref(${c.value.ref})` : c.value === undefined ? '' : ` ${formatValue(c.value)}`;
  return `${c.attribute} ${c.operator}${value}`;
}

type Resolver = (request: PolicyRequest, now: Date | undefined) => unknown;

/** Resolves an attribute path against a request; undefined when absent. */
export function compileAttribute(path: string): Resolver {
  const [root, ...rest] = path.split('.');
  if (root === 'resource') return (r) => r.resource;
  if (root === 'action') return (r) => r.action;
  if (root === 'environment') return (r) => r.environment;
  if (path === 'principal.id') return (r) => r.principal.id;
  if (path === 'principal.roles') return (r) => r.principal.roles;
  if (root === 'principal' && rest[0] === 'attributes') return (r) => dig(r.principal.attributes, rest.slice(1));
  // The evaluation clock stands in for context.time, so time conditions need no caller help.
  if (path === 'context.time') {
    return (r, now) => {
      const given = dig(r.context, rest);
      return given === undefined ? now?.toISOString() : given;
    };
  }
  if (root === 'context') return (r) => dig(r.context, rest);
  return () => undefined;
}

function dig(from: unknown, keys: string[]): unknown {
  let at = from;
  for (const key of keys) {
    // Own properties of plain objects only: `constructor` or `__proto__` are never attributes.
    if (!isPlainObject(at) || !Object.hasOwn(at, key)) return undefined;
    at = at[key];
  }
  return at;
}

export type CompiledCondition = (request: PolicyRequest, now: Date | undefined) => Outcome;

export function compileCondition(c: Condition): CompiledCondition {
  const actual = compileAttribute(c.attribute);
  const value = c.value;
  const expected: Resolver = isRef(value) ? compileAttribute(value.ref) : () => value;
  const prepared = prepare(c);
  return (request, now) => checkCondition(c, actual(request, now), expected(request, now), prepared);
}

/** Best effort: a literal that does not parse is left for checkCondition to report per request. */
function prepare(c: Condition): Prepared {
  try {
    if (c.operator === 'matches' && typeof c.value === 'string') return { regex: compileSafeRegex(c.value) };
    if (c.operator === 'cidr' && !isRef(c.value)) return { cidrs: parseCidrs(c.value) };
  } catch {
    return {};
  }
  return {};
}

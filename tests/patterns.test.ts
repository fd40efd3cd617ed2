// The product's pattern language, shared by routes and policies.
import { describe, expect, it } from 'vitest';
import { compareSpecificity, compilePattern, matchesPattern, specificity, validatePattern } from '../src/domain/patterns.js';

const cases: [pattern: string, value: string, matches: boolean][] = [
  // literals: exact and case-sensitive
  ['billing.invoice.create', 'billing.invoice.create', true],
  ['billing.invoice.create', 'billing.invoice.Create', false],
  ['billing.invoice', 'billing.invoice.create', false],
  ['billing.invoice.create', 'billing.invoice', false],
  ['registry_get', 'registry_get', true],
  ['user:alice', 'user:alice', true],
  ['user:alice', 'user:alicia', false],
  // `*` stays within one segment
  ['billing.*.create', 'billing.invoice.create', true],
  ['billing.*.create', 'billing.invoice.batch.create', false],
  ['billing.*', 'billing.invoice', true],
  ['billing.*', 'billing', false],
  ['billing.*', 'billing.invoice.create', false],
  ['*', 'billing', true],
  ['*', 'billing.invoice', false],
  ['*', '', true],
  ['billing.*', 'billing.', true],
  ['role:*', 'role:admin', true],
  ['role:*', 'user:admin', false],
  ['registry_*', 'registry_get', true],
  ['registry_*', 'route_resolve', false],
  ['inv*ce', 'invoice', true],
  ['inv*ce', 'invce', true],
  ['inv*ce', 'inve', false],
  ['*-*-*', 'a-b-c', true],
  ['*-*-*', 'a-b', false],
  ['a*b*c', 'abc', true],
  ['a*b*c', 'aXbYc', true],
  ['a*b*c', 'acb', false],
  ['ab*ba', 'aba', false],
  // `**` spans zero or more segments
  ['billing.**', 'billing', true],
  ['billing.**', 'billing.invoice', true],
  ['billing.**', 'billing.invoice.batch.create', true],
  ['billing.**', 'billingx.invoice', false],
  ['**', 'anything.at.all', true],
  ['**', 'x', true],
  ['**.create', 'create', true],
  ['**.create', 'billing.invoice.create', true],
  ['**.create', 'billing.invoice.cancel', false],
  ['billing.**.create', 'billing.create', true],
  ['billing.**.create', 'billing.a.b.c.create', true],
  ['billing.**.create', 'billing.a.b.c.cancel', false],
  ['a.**.b.**.c', 'a.b.c', true],
  ['a.**.b.**.c', 'a.x.b.y.b.z.c', true],
  ['a.**.b.**.c', 'a.x.c.b', false],
  ['a.**.b.c', 'a.b.c.b.c', true],
  ['a.**.*.c', 'a.c', false],
  ['a.**.*.c', 'a.x.c', true],
  ['**.inv*.**', 'billing.invoice.create', true],
  ['**.inv*.**', 'billing.refund.create', false],
  // regex metacharacters are literal
  ['a+b', 'a+b', true],
  ['a+b', 'aab', false],
  ['(x)', '(x)', true],
  ['[ab]', 'a', false],
];

describe('matching', () => {
  it.each(cases)('%s against %s → %s', (pattern, value, expected) => {
    expect(compilePattern(pattern)(value)).toBe(expected);
    expect(matchesPattern(pattern, value)).toBe(expected);
  });

  it('is linear: adversarial inputs finish at once', () => {
    const value = Array.from({ length: 5_000 }, () => 'a').join('.');
    const started = performance.now();
    expect(compilePattern('**.a.**.a.**.a.**.b')(value)).toBe(false);
    expect(compilePattern('*a*a*a*a*a*b')('a'.repeat(10_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('an invalid pattern matches nothing', () => {
    expect(compilePattern('a..b')('a..b')).toBe(false);
    expect(compilePattern('')('')).toBe(false);
  });
});

describe('validation', () => {
  it.each([
    ['billing.invoice.create'],
    ['billing.*'],
    ['billing.**'],
    ['**'],
    ['*'],
    ['a.**.b.**.c'],
    ['inv*ce-*'],
    ['user:alice'],
  ])('accepts %s', (pattern) => {
    expect(validatePattern(pattern)).toBeUndefined();
  });

  it.each([
    ['', /pattern is empty/],
    ['a..b', /empty segment/],
    ['.a', /empty segment/],
    ['a.', /empty segment/],
    ['a'.repeat(257), /longer than 256 characters/],
    ['***', /has '\*\*\*'/],
    ['a.***.b', /has '\*\*\*'/],
    ['a**', /mixes '\*\*' with text in 'a\*\*'/],
    ['**b.c', /mixes '\*\*' with text/],
    ['a.x**y', /mixes '\*\*' with text/],
    ['a.**.**', /means the same as '\*\*'/],
  ])('refuses %s', (pattern, message) => {
    expect(validatePattern(pattern)).toMatch(message);
  });

  it('accepts exactly 256 characters', () => {
    expect(validatePattern('a'.repeat(256))).toBeUndefined();
  });
});

describe('specificity', () => {
  const sorted = (patterns: string[]) =>
    [...patterns].sort((a, b) => compareSpecificity(specificity(a), specificity(b)));

  it.each([
    ['more literal segments first', ['billing.**', 'billing.invoice.create', 'billing.*.create'], ['billing.invoice.create', 'billing.*.create', 'billing.**']],
    ['* before **', ['billing.**', 'billing.*'], ['billing.*', 'billing.**']],
    ['partial segments before bare *', ['billing.*', 'billing.inv*'], ['billing.inv*', 'billing.*']],
    ['** last', ['**', 'a.**', '*'], ['a.**', '*', '**']],
    ['literal count beats wildcards', ['a.b.**', '*.*.*.c'], ['a.b.**', '*.*.*.c']],
    ['fewer ** with equal literals', ['a.**.b.**', 'a.**.b'], ['a.**.b', 'a.**.b.**']],
  ])('%s', (_name, input, expected) => {
    expect(sorted(input)).toEqual(expected);
  });

  it('equal patterns compare equal', () => {
    expect(compareSpecificity(specificity('a.*'), specificity('a.*'))).toBe(0);
    expect(specificity('billing.inv*.**')).toEqual([1, -1, 10]);
  });
});

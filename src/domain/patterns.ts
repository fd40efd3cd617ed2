// The one pattern language of the product (routes, policies): names are dot-separated segments,
// `*` matches within one segment, `**` matches any number of whole segments (zero included).
// Matching is hand-written rather than a regex so no pattern can make it backtrack: each `*` or
// `**` is resolved by taking the leftmost place the next literal run fits, which is always safe
// because a wildcard can absorb whatever that choice skips.

export const MAX_PATTERN_LENGTH = 256;

/** Why `pattern` is not a valid pattern, or undefined when it is. */
export function validatePattern(pattern: string): string | undefined {
  if (pattern.length === 0) return 'pattern is empty';
  if (pattern.length > MAX_PATTERN_LENGTH) return `pattern is longer than ${MAX_PATTERN_LENGTH} characters`;
  const segments = pattern.split('.');
  for (const [i, segment] of segments.entries()) {
    if (segment === '') return `pattern '${pattern}' has an empty segment (leading, trailing or doubled '.')`;
    if (segment.includes('***')) return `pattern '${pattern}' has '***': use '*' within a segment or '**' for any number of segments`;
    if (segment.includes('**') && segment !== '**') {
      return `pattern '${pattern}' mixes '**' with text in '${segment}': '**' must be a whole segment, as in 'billing.**'`;
    }
    if (segment === '**' && segments[i + 1] === '**') return `pattern '${pattern}' has '**.**', which means the same as '**'`;
  }
  return undefined;
}

type SegmentMatcher = (segment: string) => boolean;

/**
 * Compiles once; the returned function is cheap to call on every request. An invalid pattern
 * matches nothing (stored rows are validated on the way in; callers that must not fail open on a
 * bad row, such as policies, check validatePattern first).
 */
export function compilePattern(pattern: string): (value: string) => boolean {
  if (validatePattern(pattern)) return () => false;
  if (!pattern.includes('*')) return (value) => value === pattern;
  if (pattern === '**') return () => true;
  // Runs of single-segment matchers, separated by `**`.
  const groups: SegmentMatcher[][] = [[]];
  for (const segment of pattern.split('.')) {
    if (segment === '**') groups.push([]);
    else groups[groups.length - 1]!.push(compileSegment(segment));
  }
  return (value) => matchGroups(groups, value.split('.'));
}

export function matchesPattern(pattern: string, value: string): boolean {
  return compilePattern(pattern)(value);
}

function compileSegment(segment: string): SegmentMatcher {
  if (!segment.includes('*')) return (s) => s === segment;
  if (segment === '*') return () => true;
  const parts = segment.split('*');
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((p) => p !== '');
  const fixed = first.length + last.length;
  return (s) => {
    if (s.length < fixed || !s.startsWith(first) || !s.endsWith(last)) return false;
    let at = first.length;
    const end = s.length - last.length;
    for (const part of middle) {
      const found = s.indexOf(part, at);
      if (found < 0 || found + part.length > end) return false;
      at = found + part.length;
    }
    return true;
  };
}

function matchRun(run: SegmentMatcher[], segments: string[], at: number): boolean {
  return run.every((m, i) => m(segments[at + i]!));
}

function matchGroups(groups: SegmentMatcher[][], segments: string[]): boolean {
  const head = groups[0]!;
  if (groups.length === 1) return segments.length === head.length && matchRun(head, segments, 0);
  const tail = groups[groups.length - 1]!;
  const end = segments.length - tail.length;
  if (end < head.length || !matchRun(head, segments, 0) || !matchRun(tail, segments, end)) return false;
  let at = head.length;
  for (const run of groups.slice(1, -1)) {
    while (at + run.length <= end && !matchRun(run, segments, at)) at++;
    if (at + run.length > end) return false;
    at += run.length;
  }
  return true;
}

/**
 * How specific a pattern is, compared element by element (higher is more specific): literal
 * segments, then fewer `**` segments (so `*` ranks before `**`), then literal characters
 * (`invoice-*` before `*`). Routes and policies sort by it.
 */
export type Specificity = readonly [literalSegments: number, negatedGlobstars: number, literalChars: number];

export function specificity(pattern: string): Specificity {
  const segments = pattern.split('.');
  return [segments.filter((s) => !s.includes('*')).length, -segments.filter((s) => s === '**').length, pattern.replace(/[*.]/g, '').length];
}

/** Sort comparator: the more specific pattern first. */
export function compareSpecificity(a: Specificity, b: Specificity): number {
  return b[0] - a[0] || b[1] - a[1] || b[2] - a[2];
}

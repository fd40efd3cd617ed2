// The product's one pattern language, for intents, principals, actions, resources and
// environments: dot-separated segments; `*` matches within one segment, `**` any number of
// segments (zero included); everything else is literal and case-sensitive.

const MAX_PATTERN = 256;

/** Why a pattern is unusable, or undefined when it is fine. */
export function validatePattern(pattern: string): string | undefined {
  if (pattern.length === 0) return 'a pattern cannot be empty';
  if (pattern.length > MAX_PATTERN) return `a pattern is at most ${MAX_PATTERN} characters`;
  const segments = pattern.split('.');
  if (segments.some((s) => s === '')) return `"${pattern}" has an empty segment (two dots in a row, or a leading/trailing dot)`;
  for (const [i, s] of segments.entries()) {
    if (s.includes('**') && s !== '**') return `"${s}": ** must stand alone as a whole segment`;
    if (s === '**' && segments[i + 1] === '**') return `"${pattern}": ** twice in a row means the same as once`;
  }
  return undefined;
}

/** A segment with `*` inside (e.g. `invoice-*`) as a linear-time test: literal pieces in order. */
function segmentMatcher(segment: string): (value: string) => boolean {
  if (!segment.includes('*')) return (value) => value === segment;
  const pieces = segment.split('*');
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  const middle = pieces.slice(1, -1);
  return (value) => {
    if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
    let at = first.length;
    const end = value.length - last.length;
    for (const piece of middle) {
      const found = value.indexOf(piece, at);
      if (found < 0 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
}

/** Compiles a pattern once into a matcher. Invalid patterns match nothing. */
export function compilePattern(pattern: string): (value: string) => boolean {
  if (validatePattern(pattern)) return () => false;
  if (pattern === '*' || pattern === '**') return pattern === '**' ? () => true : (value) => !value.includes('.');
  const parts = pattern.split('.').map((s) => (s === '**' ? null : segmentMatcher(s)));
  if (parts.every((p) => p !== null) && !pattern.includes('*')) return (value) => value === pattern;
  return (value) => {
    const segments = value.split('.');
    // Greedy with backtracking to the last `**`: linear in practice, never exponential.
    let p = 0;
    let s = 0;
    let starP = -1;
    let starS = 0;
    while (s < segments.length) {
      const part = parts[p];
      if (p < parts.length && part !== null && part!(segments[s]!)) {
        p++;
        s++;
      } else if (p < parts.length && part === null) {
        starP = p++;
        starS = s;
      } else if (starP >= 0) {
        p = starP + 1;
        s = ++starS;
      } else return false;
    }
    while (p < parts.length && parts[p] === null) p++;
    return p === parts.length;
  };
}

export function matchesPattern(pattern: string, value: string): boolean {
  return compilePattern(pattern)(value);
}

/**
 * Higher is more specific: literal segments count most, then `*`-bearing segments, and a pattern
 * without `**` beats one with it. Routes and policies sort by it.
 */
export function specificity(pattern: string): number {
  let score = 0;
  for (const s of pattern.split('.')) {
    if (s === '**') score -= 1;
    else if (s === '*') score += 100;
    else if (s.includes('*')) score += 1_000;
    else score += 10_000;
  }
  return score;
}

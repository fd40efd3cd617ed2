// What no tool accepts in its arguments, whatever its schema says, because the store or the
// runtime cannot take it: strings (values or keys) with a NUL character or half of a UTF-16
// surrogate pair (PostgreSQL refuses both), nesting deeper than MAX_NESTING (serializers recurse),
// and keys named __proto__ (Prisma's JSON mapping trips on them; JSON.parse makes them own keys).
// Checked once at the boundary, with a loop rather than recursion: the input may be deep.

export const MAX_NESTING = 64;

/** Quick test: only strings this matches need the exact check. */
const SUSPECT = /[\0\ud800-\udfff]/;

function badString(s: string): string | undefined {
  if (!SUSPECT.test(s)) return undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return 'contains a NUL character (U+0000), which cannot be stored; remove it';
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) return 'contains half of a UTF-16 surrogate pair (invalid Unicode), which cannot be stored; send well-formed text';
  }
  return undefined;
}

type Place = { key: string | number; parent: Place | undefined; depth: number } | undefined;

/** The path to a place, built only when something is wrong there: the hot path allocates no arrays. */
function pathOf(place: Place): (string | number)[] {
  const path: (string | number)[] = [];
  for (let p = place; p; p = p.parent) path.unshift(p.key);
  return path;
}

/** The first thing in `value` no tool accepts, with where it is; undefined when there is none. */
export function unacceptable(value: unknown): { path: (string | number)[]; message: string } | undefined {
  const stack: { value: unknown; place: Place }[] = [{ value, place: undefined }];
  while (stack.length > 0) {
    const { value: v, place } = stack.pop()!;
    if (typeof v === 'string') {
      const message = badString(v);
      if (message) return { path: pathOf(place), message };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    const depth = place?.depth ?? 0;
    if (depth >= MAX_NESTING) return { path: pathOf(place), message: `is nested more than ${MAX_NESTING} levels deep; flatten it` };
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ value: item, place: { key: i, parent: place, depth: depth + 1 } }));
      continue;
    }
    for (const [key, item] of Object.entries(v)) {
      const here = { key, parent: place, depth: depth + 1 };
      if (key === '__proto__') return { path: pathOf(here), message: 'a key named __proto__ is not accepted; rename it' };
      const message = badString(key);
      if (message) return { path: pathOf(here), message: `the key ${message}` };
      stack.push({ value: item, place: here });
    }
  }
  return undefined;
}

// fast-check arbitraries from the JSON Schemas that tools/list publishes (draft 2020-12, as zod
// emits them): values that satisfy a schema, and values that break it in exactly one place. Tools
// are fuzzed from their published schema alone, so a tool added later is fuzzed without changes
// here; what a schema cannot say (semver, safe commands…) comes in as hints by property name.
import fc from 'fast-check';
import { Ajv2020 } from 'ajv/dist/2020.js';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
}

/** A generator for one property name, given its schema and the generic generator for it. */
export type Hint = (schema: JsonSchema, generic: fc.Arbitrary<unknown>) => fc.Arbitrary<unknown>;

export interface SchemaOptions {
  /** Generators by property name, wherever the property appears. */
  hints?: Record<string, Hint>;
  /** Generators for string formats (uri, date-time…); a format without one gets generic strings. */
  formats?: Record<string, fc.Arbitrary<string>>;
}

export type Path = (string | number)[];

/** A value broken in one place: where, how, and the whole value. */
export interface Broken {
  value: unknown;
  path: Path;
  how: string;
}

// Characters that tend to break things: quotes, separators, controls, NUL, a lone surrogate,
// bidi overrides, zero-width and combining marks, astral emoji, look-alikes.
const oddChars = ['\u0000', '\u0007', '\n', '\t', '"', "'", '\\', '/', '%', '*', '.', ':', '_', ' ', '\u00e9', 'e\u0301', '\u202e', '\u200b', '\ufeff', '\ud800', '\u{1f600}', '\u0130', '\u2028', '<', '$', '{'];
const unit = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...'abcxyz0129-ABZ'.split('')) }, { weight: 1, arbitrary: fc.constantFrom(...oddChars) });

/** Strings made of odd characters (see oddChars) among ordinary ones. */
export const oddString = (constraints: { minLength?: number; maxLength?: number } = {}) => fc.string({ unit, ...constraints });

/** A string of exactly `length` UTF-16 units: a short odd string repeated (drawing each unit would be slow). */
export const stringOfLength = (length: number) => oddString({ minLength: 1, maxLength: 8 }).map((s) => s.repeat(Math.ceil(length / s.length)).slice(0, length));

// Keys that would pollute a prototype if a handler merged objects carelessly.
export const pollutingKeys = ['__proto__', 'constructor', 'prototype'];

/** Builds an object with own properties, even for __proto__ (an object literal would set the prototype). */
export function ownObject(entries: [string, unknown][]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

/** `depth` arrays or objects inside each other. */
export function nested(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : ownObject([['a', value]]);
  return value;
}

/** A short, depth-limited rendering of a value, safe for values nested thousands deep (fast-check's would overflow). */
export function brief(value: unknown, depth = 6): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 300 ? `${value.slice(0, 300)}…(${value.length})` : value);
  if (typeof value !== 'object' || value === null) return String(value);
  if (depth === 0) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) return `[${value.slice(0, 10).map((v) => brief(v, depth - 1)).join(',')}${value.length > 10 ? `,…(${value.length})` : ''}]`;
  return `{${Object.entries(value).slice(0, 20).map(([k, v]) => `${JSON.stringify(k)}:${brief(v, depth - 1)}`).join(',')}}`;
}

const jsonKey = fc.oneof({ weight: 3, arbitrary: oddString({ maxLength: 8 }) }, { weight: 1, arbitrary: fc.constantFrom(...pollutingKeys) });
// zod (and the SDK, through zod) refuses a record with an own key "constructor" as "expected record,
// received object" (bug 2 of tests/fuzz-tools.test.ts): valid values leave that key out.
const validKey = fc.oneof({ weight: 3, arbitrary: oddString({ maxLength: 8 }) }, { weight: 1, arbitrary: fc.constantFrom(...pollutingKeys.filter((k) => k !== 'constructor')) });

/** Any JSON value, small, with odd strings and polluting keys; sometimes deeply nested. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 9, arbitrary: fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { maxDepth: 3, depthIdentifier: 'json' },
      oddString({ maxLength: 12 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 3 }),
      // Not { "__proto__": null }: storing that crashes (bug 5 of tests/fuzz-tools.test.ts).
      fc.array(fc.tuple(validKey, tie('value')), { maxLength: 3 }).map((entries) => ownObject(entries.map(([k, v]) => [k, k === '__proto__' && v === null ? 0 : v]))),
    ),
  })).value },
  // At most 1,000 deep: from about 3,000 storing it crashes (bug 4 of tests/fuzz-tools.test.ts).
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 20, max: 1_000 }), fc.constantFrom('array' as const, 'object' as const)).map(([d, k]) => nested(d, k)) },
);

const MAX_DEPTH = 3;

export function schemaTools(root: JsonSchema, options: SchemaOptions = {}) {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: false });
  const validators = new Map<JsonSchema, (v: unknown) => boolean>();
  const accepts = (schema: JsonSchema, value: unknown): boolean => {
    let validate = validators.get(schema);
    if (!validate) {
      const compiled = ajv.compile({ ...schema, ...(root.$defs ? { $defs: root.$defs } : {}) });
      validate = (v) => compiled(v) === true;
      validators.set(schema, validate);
    }
    return validate(value);
  };

  const resolve = (schema: JsonSchema): JsonSchema => {
    if (!schema.$ref) return schema;
    const name = /^#\/\$defs\/(.+)$/.exec(schema.$ref)?.[1];
    const target = name ? root.$defs?.[name] : schema.$ref === '#' ? root : undefined;
    if (!target) throw new Error(`Unsupported $ref ${schema.$ref}`);
    return target;
  };

  function valid(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
    const s = resolve(schema);
    const branches = s.anyOf ?? s.oneOf;
    if (branches) {
      // Past the depth limit, only branches that do not recurse.
      const usable = depth >= MAX_DEPTH ? branches.filter((b) => !b.$ref && !b.items && !b.additionalProperties) : branches;
      return fc.oneof(...(usable.length ? usable : branches.slice(0, 1)).map((b) => valid(b, depth + 1)));
    }
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum) return fc.constantFrom(...s.enum);
    const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    if (types.length > 1) return fc.oneof(...types.map((type) => valid({ ...s, type }, depth)));
    switch (types[0]) {
      case 'string':
        return validString(s);
      case 'integer':
        return fc.integer({
          min: s.minimum ?? (s.exclusiveMinimum !== undefined ? Math.floor(s.exclusiveMinimum) + 1 : -(2 ** 31)),
          max: s.maximum ?? (s.exclusiveMaximum !== undefined ? Math.ceil(s.exclusiveMaximum) - 1 : 2 ** 31),
        });
      case 'number':
        return fc.double({ min: lower(s) ?? -1e12, max: upper(s) ?? 1e12, noNaN: true, noDefaultInfinity: true, minExcluded: s.exclusiveMinimum !== undefined, maxExcluded: s.exclusiveMaximum !== undefined });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array': {
        const item = s.items ? valid(s.items, depth + 1) : anyJson;
        const minLength = s.minItems ?? 0;
        const maxLength = Math.min(s.maxItems ?? 4, minLength + 4);
        const some = fc.array(item, { minLength, maxLength });
        // The largest array allowed, when that is small enough to send.
        return s.maxItems !== undefined && s.maxItems <= 100 && s.maxItems > maxLength ? fc.oneof({ weight: 9, arbitrary: some }, { weight: 1, arbitrary: fc.array(item, { minLength: s.maxItems, maxLength: s.maxItems }) }) : some;
      }
      case 'object':
        return validObject(s, depth);
      default:
        return anyJson;
    }
  }

  function validString(s: JsonSchema): fc.Arbitrary<string> {
    const min = s.minLength ?? 0;
    const max = s.maxLength ?? 10_000;
    const fits = (v: string) => v.length >= min && v.length <= max;
    const format = s.format ? options.formats?.[s.format] : undefined;
    if (format) return format.filter(fits);
    if (s.pattern) return fc.stringMatching(new RegExp(s.pattern)).filter(fits);
    const short = oddString({ minLength: min, maxLength: Math.min(max, min + 16) });
    // The longest string allowed, when it is small enough to send many of.
    return max <= 10_000 ? fc.oneof({ weight: 9, arbitrary: short }, { weight: 1, arbitrary: stringOfLength(max) }) : short;
  }

  function validObject(s: JsonSchema, depth: number): fc.Arbitrary<Record<string, unknown>> {
    const required = new Set(s.required ?? []);
    const props = Object.entries(s.properties ?? {}).map(([key, propSchema]) => {
      const generic = valid(propSchema, depth + 1);
      const hint = options.hints?.[key];
      const arb = hint ? hint(resolve(propSchema), generic) : generic;
      // An optional property is left out half the time: combinations such as "this one, not that one" come up.
      return required.has(key) ? arb.map((v) => [[key, v]] as [string, unknown][]) : fc.option(arb.map((v) => [[key, v]] as [string, unknown][]), { nil: [] as [string, unknown][], freq: 2 });
    });
    const extra =
      typeof s.additionalProperties === 'object'
        ? fc.array(fc.tuple(s.propertyNames ? validString({ type: 'string', ...s.propertyNames }).filter((k) => k !== 'constructor') : validKey, valid(s.additionalProperties, depth + 1)), { maxLength: 3 })
        : fc.constant([] as [string, unknown][]);
    return fc.tuple(fc.tuple(...props), extra).map(([known, more]) => ownObject([...known.flat(), ...more.filter(([k]) => !Object.hasOwn(s.properties ?? {}, k))]));
  }

  /** Every place in `value` where it can be broken, each with a generator of the breakage. */
  function sites(schema: JsonSchema, value: unknown, path: Path): { path: Path; how: string; make: fc.Arbitrary<Edit> }[] {
    const s = resolve(schema);
    const out: { path: Path; how: string; make: fc.Arbitrary<Edit> }[] = [];
    // Deeper than any tool's schema: inside free-form JSON, where nothing can be broken.
    if (path.length > 8) return out;
    const set = (how: string, arb: fc.Arbitrary<unknown>) => out.push({ path, how, make: arb.map((v) => ({ kind: 'set', value: v })) });
    const wrong = wrongTypes(s);
    if (wrong.length) set(`wrong type (${wrong.join('/')})`, fc.constantFrom(...wrong).chain((t) => junkOf[t]));
    const branches = s.anyOf ?? s.oneOf;
    if (branches) {
      const branch = branches.find((b) => accepts(b, value));
      if (branch) out.push(...sites(branch, value, path).filter((site) => site.path.length > path.length || !site.how.startsWith('wrong type')));
      return out;
    }
    if (s.enum) set('unknown enum value', fc.oneof(oddString({ maxLength: 12 }), fc.constantFrom(...s.enum.filter((e) => typeof e === 'string').map((e) => `${e as string}x`), ...s.enum.filter((e) => typeof e === 'string').map((e) => (e as string).toUpperCase()))).filter((v) => !s.enum!.includes(v)));
    if (s.const !== undefined && typeof s.const === 'string') set('not the constant', oddString({ maxLength: 12 }).filter((v) => v !== s.const));
    if (typeof value === 'string') {
      if (s.maxLength !== undefined && s.maxLength <= 1_000_000) set(`longer than ${s.maxLength}`, fc.integer({ min: s.maxLength + 1, max: s.maxLength + 40 }).chain(stringOfLength));
      if (s.minLength) set(`shorter than ${s.minLength}`, oddString({ maxLength: s.minLength - 1 }));
      if (s.pattern) {
        const re = new RegExp(s.pattern);
        // Led by an odd character, which a message quoting the value then carries on (into traces…).
        const max = Math.min(s.maxLength ?? 30, 30);
        set(`not matching ${s.pattern}`, fc.tuple(fc.constantFrom(...oddChars), oddString({ maxLength: max - 1 })).map(([c, rest]) => c + rest).filter((v) => !re.test(v)));
      }
      if (s.format === 'uri') set('not a URL', fc.constantFrom('not a url', 'ftp://files.invalid/x', 'javascript:alert(1)', 'http//x', '://'));
      if (s.format === 'date-time') set('not a date-time', fc.constantFrom('yesterday', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-01', '1e3'));
    }
    if (typeof value === 'number') {
      const lo = lower(s);
      const hi = upper(s);
      if (lo !== undefined) set(`below ${lo}`, fc.constantFrom(lo - 1, lo - 1e-6, -1e308, -Infinity).filter((v) => v < lo));
      if (hi !== undefined) set(`above ${hi}`, fc.constantFrom(hi + 1, hi + 1e-6, 1e308, Infinity).filter((v) => v > hi));
      if (typeof s.type === 'string' && s.type === 'integer') set('not an integer', fc.constantFrom(0.5, 1.5, NaN, (lo ?? 0) + 0.25));
    }
    if (Array.isArray(value)) {
      const item = s.items ?? {};
      if (s.maxItems !== undefined && s.maxItems < 5_000) {
        const n = s.maxItems + 1;
        set(`more than ${s.maxItems} items`, value.length ? fc.constant(Array.from({ length: n }, (_, i) => value[i % value.length])) : fc.array(valid(item), { minLength: n, maxLength: n }));
      }
      if (s.minItems) set(`fewer than ${s.minItems} items`, fc.constant(value.slice(0, s.minItems - 1)));
      if (s.items) value.forEach((v, i) => out.push(...sites(item, v, [...path, i])));
    }
    if (isObject(value)) {
      for (const key of s.required ?? []) if (Object.hasOwn(value, key)) out.push({ path: [...path, key], how: `missing required ${key}`, make: fc.constant({ kind: 'delete' }) });
      if (s.additionalProperties === false) {
        out.push({ path, how: 'unknown property', make: fc.tuple(fc.oneof(fc.constantFrom(...pollutingKeys), oddString({ minLength: 1, maxLength: 8 })), anyJson).filter(([k]) => !Object.hasOwn(s.properties ?? {}, k)).map(([key, v]) => ({ kind: 'add', key, value: v })) });
      }
      const names = s.propertyNames;
      if (names && (names.pattern || names.maxLength !== undefined || names.minLength)) {
        const bad = fc.oneof(oddString({ minLength: 1, maxLength: 8 }), fc.constantFrom(...pollutingKeys), fc.constant(''), fc.constant('k'.repeat((names.maxLength ?? 300) + 1))).filter((k) => !accepts(names, k));
        out.push({ path, how: 'invalid property name', make: fc.tuple(bad, typeof s.additionalProperties === 'object' ? valid(s.additionalProperties) : anyJson).map(([key, v]) => ({ kind: 'add', key, value: v })) });
      }
      for (const [key, v] of Object.entries(value)) {
        const propSchema = s.properties?.[key] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
        if (propSchema) out.push(...sites(propSchema, v, [...path, key]));
      }
    }
    return out;
  }

  /** `value` broken in one place (a generator: which place, and how, are drawn too), among the places `keep` keeps. */
  function broken(value: unknown, keep: (site: { path: Path; how: string }) => boolean = () => true): fc.Arbitrary<Broken> {
    const all = sites(root, value, []).filter(keep);
    if (!all.length) return fc.constant({ value, path: [], how: 'unbreakable' });
    return fc.constantFrom(...all).chain((site) => site.make.map((edit) => ({ value: applyEdit(value, site.path, edit), path: site.path, how: site.how })));
  }

  return { valid: () => valid(root), broken, accepts: (v: unknown) => accepts(root, v) };
}

type Edit = { kind: 'set'; value: unknown } | { kind: 'delete' } | { kind: 'add'; key: string; value: unknown };

const JSON_TYPES = ['string', 'number', 'boolean', 'null', 'array', 'object'] as const;
type JsonType = (typeof JSON_TYPES)[number];

const junkOf: Record<JsonType, fc.Arbitrary<unknown>> = {
  string: fc.oneof(oddString({ maxLength: 20 }), fc.constantFrom('', 'true', '1', 'null', '[]', '{}')),
  number: fc.oneof(fc.double(), fc.constantFrom(0, -1, 1e308, NaN, Infinity, -0)),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.oneof(fc.array(anyJson, { maxLength: 3 }), fc.integer({ min: 50, max: 5_000 }).map((d) => nested(d, 'array'))),
  object: fc.oneof(
    fc.array(fc.tuple(jsonKey, anyJson), { maxLength: 4 }).map(ownObject),
    fc.constant(ownObject([['__proto__', { polluted: 'yes' }], ['constructor', { prototype: { polluted: 'yes' } }]])),
    fc.integer({ min: 50, max: 5_000 }).map((d) => nested(d, 'object')),
  ),
};

/** The JSON types a schema rejects outright (none when it takes anything). */
function wrongTypes(s: JsonSchema): JsonType[] {
  const allowed = new Set<string>();
  const collect = (x: JsonSchema): boolean => {
    const branches = x.anyOf ?? x.oneOf;
    if (branches) return branches.every(collect);
    if (x.$ref) return false; // a recursive $ref is taken as anything
    if (x.const !== undefined) allowed.add(typeOf(x.const));
    else if (x.enum) for (const e of x.enum) allowed.add(typeOf(e));
    else if (x.type) for (const t of Array.isArray(x.type) ? x.type : [x.type]) allowed.add(t === 'integer' ? 'number' : t);
    else return false;
    return true;
  };
  if (!collect(s)) return [];
  return JSON_TYPES.filter((t) => !allowed.has(t));
}

function typeOf(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v as JsonType;
}

const lower = (s: JsonSchema) => s.minimum ?? s.exclusiveMinimum;
const upper = (s: JsonSchema) => s.maximum ?? s.exclusiveMaximum;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A copy of `value` with one edit at `path`; own __proto__ keys stay own keys. */
function applyEdit(value: unknown, path: Path, edit: Edit): unknown {
  if (path.length === 0) {
    if (edit.kind === 'set') return edit.value;
    if (edit.kind === 'add' && isObject(value)) return ownObject([...Object.entries(value), [edit.key, edit.value]]);
    return value;
  }
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? applyEdit(v, rest, edit) : v));
  if (!isObject(value)) return value;
  const entries = Object.entries(value);
  if (rest.length === 0 && edit.kind === 'delete') return ownObject(entries.filter(([k]) => k !== head));
  return ownObject(entries.map(([k, v]) => [k, k === head ? applyEdit(v, rest, edit) : v]));
}

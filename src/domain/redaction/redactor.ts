// The payload redactor: runs before a request or response is stored or logged. It copies the
// payload into plain JSON-shaped data (the input is never mutated), replacing the value of every
// sensitive field name wholesale with `[REDACTED:secret]` and every detected value inside strings
// with `[REDACTED:<kind>]` (kinds: see detectors.ts), then caps the size.
//
// Size cap: when the JSON rendering of the redacted value is longer than `maxBytes` (UTF-8 bytes),
// the result is a string: the first part of that JSON, cut at a character boundary, followed by
// `…[TRUNCATED: <N> bytes]` where N is how many bytes were left out; the whole string fits in
// maxBytes. Redaction happens first, so a cut never exposes half a secret.
//
// Other markers: `[CIRCULAR]` for a reference back to an enclosing object, and
// `[TRUNCATED: depth > 32]` for anything nested deeper than MAX_DEPTH (which also sets
// `truncated`). Like JSON, functions and undefined fields are dropped and toJSON is honoured;
// Errors keep their name and message, which JSON.stringify would lose.
import { builtInDetectors, type Detector } from './detectors.js';
import { createKeyClassifier } from './keys.js';
import { compileExtraPattern } from './safe-pattern.js';
import { BUILT_IN_MIN_LENGTH, createScanner, marker, type StringRedaction } from './scan.js';

export const DEFAULT_MAX_BYTES = 64 * 1024;
export const MAX_DEPTH = 32;
const MIN_MAX_BYTES = 64;
const CIRCULAR = '[CIRCULAR]';
const TOO_DEEP = `[TRUNCATED: depth > ${MAX_DEPTH}]`;
const SECRET = marker('secret');

export interface RedactorOptions {
  /** Field names to treat as secret, matched like the built-in ones (see keys.ts). */
  extraKeys?: string[];
  /** Regexes (bounded, no nested quantifiers) whose matches become `[REDACTED:<kind>]`. */
  extraPatterns?: { kind: string; pattern: string }[];
  /** Cap on the JSON rendering of a redacted payload, in bytes. */
  maxBytes?: number;
}

export interface RedactResult {
  value: unknown;
  redactions: number;
  truncated: boolean;
}

export interface Redactor {
  redact(value: unknown): RedactResult;
  redactString(s: string): StringRedaction;
}

/** Validates the options once and throws an Error naming the bad one. */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes < MIN_MAX_BYTES) {
    throw new Error(`Redaction maxBytes must be an integer of at least ${MIN_MAX_BYTES}; got ${maxBytes}.`);
  }
  const isSensitiveKey = createKeyClassifier(options.extraKeys);
  const extra: Detector[] = (options.extraPatterns ?? []).map(({ kind, pattern }) => ({
    kind,
    pattern: compileExtraPattern(kind, pattern),
  }));
  // Own copies of the regexes: their lastIndex is state, and no two redactors should share it.
  const detectors = [...builtInDetectors(isSensitiveKey), ...extra].map((d) => ({ ...d, pattern: new RegExp(d.pattern) }));
  // Configured patterns may match strings shorter than any built-in detector can.
  const redactString = createScanner(detectors, extra.length > 0 ? 1 : BUILT_IN_MIN_LENGTH);
  const redactKey = memoise(redactString);

  return {
    redactString,
    redact(input) {
      let redactions = 0;
      let truncated = false;
      const ancestors = new Set<object>();
      // An upper bound on the UTF-8 size of the JSON rendering, so that most payloads skip the
      // JSON.stringify that measuring them exactly would cost.
      let bound = 0;
      const text = (s: string): string => {
        const r = redactString(s);
        redactions += r.redactions;
        bound += r.value.length * 6 + 3;
        return r.value;
      };
      const keyText = (key: string): string => {
        const r = redactKey(key);
        redactions += r.redactions;
        bound += r.value.length * 6 + 4;
        return r.value;
      };
      const visit = (value: unknown, depth: number): unknown => {
        bound += 32; // a number, a literal, a marker, or the brackets and commas of a container
        switch (typeof value) {
          case 'string':
            return text(value);
          case 'number': {
            // Card numbers do arrive as JSON numbers; smaller integers cannot be one.
            if (!Number.isSafeInteger(value) || Math.abs(value) < 1e12) return value;
            const s = text(String(value));
            return s === String(value) ? value : s;
          }
          case 'bigint':
            return text(value.toString());
          case 'function':
          case 'symbol':
            return undefined;
          case 'object':
            if (value === null) return null;
            if (ancestors.has(value)) return CIRCULAR;
            if (depth > MAX_DEPTH) {
              truncated = true;
              return TOO_DEEP;
            }
            ancestors.add(value);
            try {
              return container(value, depth);
            } finally {
              ancestors.delete(value);
            }
          default:
            return value;
        }
      };
      const container = (value: object, depth: number): unknown => {
        if (hasToJSON(value)) return visit(value.toJSON(), depth);
        if (value instanceof Error) return container({ name: value.name, message: value.message }, depth);
        if (Array.isArray(value)) return value.map((item: unknown) => visit(item, depth + 1) ?? null);
        const record = value as Record<string, unknown>;
        // `{ name: 'DB_PASSWORD', value: '…' }`: environment lists and HAR headers name the secret
        // in a sibling field.
        const label = record.name ?? record.key;
        const pairSecret = typeof label === 'string' && isSensitiveKey(label);
        const out: Record<string, unknown> = {};
        let renamed = false;
        for (const key of Object.keys(record)) {
          const field = record[key];
          let result: unknown;
          if (field !== undefined && field !== null && field !== '' && (isSensitiveKey(key) || (pairSecret && key === 'value'))) {
            redactions++;
            bound += SECRET.length + 4;
            result = SECRET;
          } else if (SECRET_MAPS.has(key.toLowerCase()) && isStringMap(field)) {
            // A server's env and headers carry its credentials under any names (FOO, X-Tenant):
            // every value is kept out, the names stay.
            result = Object.fromEntries(
              Object.entries(field).map(([name, v]) => {
                if (v === '') return [keyText(name), v];
                redactions++;
                bound += SECRET.length + name.length + 6;
                return [keyText(name), SECRET];
              }),
            );
          } else {
            result = visit(field, depth + 1);
          }
          if (result === undefined) continue;
          const name = keyText(key);
          // Only a redacted key can collide with another one.
          if (name !== key) renamed = true;
          define(out, renamed ? uniqueKey(out, name) : name, result);
        }
        return out;
      };

      const value = visit(input, 0);
      const capped = bound <= maxBytes ? undefined : cap(value, maxBytes);
      return { value: capped ?? value, redactions, truncated: truncated || capped !== undefined };
    },
  };
}

/** Fields whose values are all secrets whatever their names: a server's environment and HTTP headers. */
const SECRET_MAPS = new Set(['env', 'headers']);

const isStringMap = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');

/** Field names repeat across payloads; their scans are remembered, within bounds. */
function memoise(scan: (s: string) => StringRedaction): (s: string) => StringRedaction {
  const cache = new Map<string, StringRedaction>();
  return (s) => {
    let r = cache.get(s);
    if (r === undefined) {
      r = scan(s);
      if (cache.size >= 10_000) cache.clear();
      cache.set(s, r);
    }
    return r;
  };
}

function hasToJSON(value: object): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

/** Two keys can redact to the same marker; the second keeps its field under a numbered name. */
function uniqueKey(out: Record<string, unknown>, key: string): string {
  if (!Object.hasOwn(out, key)) return key;
  let n = 2;
  while (Object.hasOwn(out, `${key}#${n}`)) n++;
  return `${key}#${n}`;
}

/** Plain assignment to `__proto__` would change the prototype instead of adding the field. */
function define(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** The truncated rendering, or undefined when the value fits. */
function cap(value: unknown, maxBytes: number): string | undefined {
  const json = JSON.stringify(value);
  if (json === undefined || json.length * 3 <= maxBytes) return undefined;
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes <= maxBytes) return undefined;
  const buffer = Buffer.from(json, 'utf8');
  // The marker is sized for the largest N it could show, so the result never exceeds maxBytes.
  let cut = maxBytes - Buffer.byteLength(truncationMarker(bytes), 'utf8');
  while (cut > 0 && (buffer[cut]! & 0xc0) === 0x80) cut--;
  return buffer.subarray(0, cut).toString('utf8') + truncationMarker(bytes - cut);
}

const truncationMarker = (omitted: number): string => `…[TRUNCATED: ${omitted} bytes]`;

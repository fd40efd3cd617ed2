// Secrets written as text under a key name: `password=…` in a query string or .env line,
// `"apiKey": "…"` in a stringified JSON body, `X-Api-Key: …` in a header dump. The key is judged by
// the same rule as object fields. Unquoted values that are code rather than data survive:
// `token = getToken()`, `password: env.DB_PASSWORD`, `token: string`, `secret=$SECRET`,
// because coding tools send source files through MCP all the time.
import type { Detector, Span } from './detectors.js';
import { COLON, EQUALS } from './shape.js';

const CODE_WORDS = new Set([
  'null', 'undefined', 'true', 'false', 'none', 'nil', 'string', 'number', 'boolean', 'any', 'unknown', 'str',
  'int', 'bytes', 'await', 'new', 'typeof', 'require', 'import', 'function', 'async', 'yield', 'self', 'this',
  // A scheme with no credential after it: `Authorization: Bearer <token>`.
  'bearer', 'basic', 'token', 'bot', 'digest',
]);
const CODE_ROOT =
  /^(?:process\.env|os\.environ|import\.meta\.env|env|config|settings|this|self|options|opts|props|ctx|context|req|request|args|params|input|data|secrets|creds|credentials)\./;
const VARIABLE = /^\$[A-Za-z_]\w{0,64}$/;

/** An unquoted value that names something in code (a call, a member path, a type, a variable). */
export function codeReference(key: string, value: string, next: string | undefined): boolean {
  if (next !== undefined && '([{'.includes(next)) return true;
  return value === key || CODE_WORDS.has(value.toLowerCase()) || CODE_ROOT.test(value) || VARIABLE.test(value);
}

// The regex finds a separator and reads back to the longest key before it (1 to 64 of [\w.-],
// starting with a letter or _, optionally quoted, at most 3 blanks before the separator): `=` and
// `:` are rare, so this costs far less than trying a key at every word of the text. A key may
// follow `--` (a CLI flag) but not a single `-`, so `page-token` is not read as `token`.
const KEY = /[=:](?<=(?<![\w.]|[\w.]-)([A-Za-z_][\w.-]{0,63})["']?[ \t]{0,3}[=:])[ \t]{0,3}/g;
// The scheme of an Authorization value stays readable, and the token after it is left to the
// bearer and basic detectors, which name it better (they win ties on position).
const SCHEME = '(?:(?:Bearer|Basic|Token|Bot|Digest) {1,4})?';
const VALUE =
  `"${SCHEME}([^"\\n]{1,512})"|'${SCHEME}([^'\\n]{1,512})'|` +
  `${SCHEME}([^\\s"'\`&,;<>{}[\\]()=][^\\s"'\`&,;<>{}[\\]()]{0,511})`;

/** Where the key ends: before the quote and blanks that KEY allows between it and the separator. */
function keyEnd(input: string, separator: number): number {
  let end = separator;
  while (input[end - 1] === ' ' || input[end - 1] === '\t') end--;
  return input[end - 1] === '"' || input[end - 1] === "'" ? end - 1 : end;
}

/** The next place inside `key` after `at` where a shorter key may start: after a `--`. */
function nextStart(key: string, at: number): number {
  for (let dash = key.indexOf('--', at); dash !== -1; dash = key.indexOf('--', dash + 1)) {
    if (/[A-Za-z_]/.test(key[dash + 2] ?? '')) return dash + 2;
  }
  return -1;
}

export function inlineSecret(isSensitiveKey: (key: string) => boolean): Detector {
  // Values are read only after the key qualifies: scanning one per `a:` would cost 512 steps each.
  const value = new RegExp(VALUE, 'y');
  const valueSpan = (input: string, key: string, at: number): Span | undefined => {
    value.lastIndex = at;
    const v = value.exec(input);
    if (!v) return undefined;
    // Every alternative ends with its value, but for a quoted one's closing quote.
    const end = v.index + v[0].length;
    const quoted = v[1] ?? v[2];
    if (quoted !== undefined) return [end - 1 - quoted.length, end - 1];
    const bare = v[3];
    return bare === undefined || codeReference(key, bare, input[end]) ? undefined : [end - bare.length, end];
  };
  return {
    kind: 'secret',
    pattern: KEY,
    needs: { someChar: COLON | EQUALS },
    // Read forward, as a scan from `from` would: keys starting before `from` are out, and a key
    // that is rejected is retried from each later place a key may start inside it.
    accept: (m, from) => {
      const longest = m[1] ?? '';
      const start = keyEnd(m.input, m.index) - longest.length;
      for (let at = 0; at !== -1; at = nextStart(longest, at)) {
        const key = longest.slice(at);
        if (start + at < from || !isSensitiveKey(key)) continue;
        const span = valueSpan(m.input, key, m.index + m[0].length);
        if (span) return span;
      }
      return undefined;
    },
  };
}

// Secrets written as text under a key name: `password=…` in a query string or .env line,
// `"apiKey": "…"` in a stringified JSON body, `X-Api-Key: …` in a header dump. The key is judged by
// the same rule as object fields. Unquoted values that are code rather than data survive:
// `token = getToken()`, `password: env.DB_PASSWORD`, `token: string`, `secret=$SECRET`,
// because coding tools send source files through MCP all the time.
import type { Detector } from './detectors.js';

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

// A key may follow `--` (a CLI flag) but not a single `-`, so `page-token` is not retried as `token`.
const KEY = /(?<![\w.]|[\w.]-)([A-Za-z_][\w.-]{0,63})["']?[ \t]{0,3}[=:][ \t]{0,3}/g;
// The scheme of an Authorization value stays readable, and the token after it is left to the
// bearer and basic detectors, which name it better (they win ties on position).
const SCHEME = '(?:(?:Bearer|Basic|Token|Bot|Digest) {1,4})?';
const VALUE =
  `"${SCHEME}([^"\\n]{1,512})"|'${SCHEME}([^'\\n]{1,512})'|` +
  `${SCHEME}([^\\s"'\`&,;<>{}[\\]()=][^\\s"'\`&,;<>{}[\\]()]{0,511})`;

export function inlineSecret(isSensitiveKey: (key: string) => boolean): Detector {
  // Values are read only after the key qualifies: scanning one per `a:` would cost 512 steps each.
  const value = new RegExp(VALUE, 'dy');
  return {
    kind: 'secret',
    pattern: KEY,
    applies: (s) => s.includes('=') || s.includes(':'),
    accept: (m) => {
      const key = m[1] ?? '';
      if (!isSensitiveKey(key)) return undefined;
      value.lastIndex = m.index + m[0].length;
      const v = value.exec(m.input);
      const quoted = v?.indices?.[1] ?? v?.indices?.[2];
      if (quoted) return [quoted[0], quoted[1]];
      const bare = v?.indices?.[3];
      if (!bare || codeReference(key, v?.[3] ?? '', m.input[bare[1]])) return undefined;
      return [bare[0], bare[1]];
    },
  };
}

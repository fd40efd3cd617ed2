// Value detectors. Each is a cheap pre-check (`needs`, compared with the string's shape: see
// shape.ts), a loose bounded regex and a validator; most strings in a payload fail the pre-check,
// so most regexes never run over them. Every regex bounds each repetition ({1,64}) and nests no
// quantifier, so a scan stays linear in the input.
//
// Kinds (the `<kind>` in `[REDACTED:<kind>]`):
//   email, phone, ssn, card, iban   personal and payment data, validated (Luhn, mod-97, SSA ranges)
//   jwt, bearer, basic              credentials in tokens and Authorization values
//   api_key                         vendor key formats (OpenAI, Anthropic, GitHub, AWS, Stripe, …)
//   private_key                     PEM private key blocks
//   password                        the password in a URL (`postgres://user:pw@host`)
//   secret                          anything under a sensitive key name: a JSON field, or text
//                                   such as `password=…`, `"apiKey": "…"`, `X-Api-Key: …`
// Configured extra patterns add their own kinds.
import { apiKey } from './api-keys.js';
import { inlineSecret } from './inline-secret.js';
import { nanpDigits, phoneLength } from './phone.js';
import { AT, B_VOWEL, CAPITAL_DIGIT, COLON, DASH, DOT, SLASH, type Needs } from './shape.js';
import { basicCredential, cardIssuer, ibanLength, jwtHeader, luhn, ssnInRange, tokenLike } from './validators.js';

/** Offsets into the scanned string, end exclusive. */
export type Span = readonly [start: number, end: number];

export interface Detector {
  readonly kind: string;
  /** Global, linear-safe. */
  readonly pattern: RegExp;
  /** What any match it accepts contains: strings without it are not scanned (see shape.ts). */
  readonly needs?: Needs;
  /**
   * The part of the match to redact, or undefined when validation rejects it. Default: all.
   * `from` is where the scan that found `m` started (the regex's lastIndex before exec).
   */
  readonly accept?: (m: RegExpExecArray, from: number) => Span | undefined;
}

const whole = (m: RegExpExecArray): Span => [m.index, m.index + m[0].length];
/** Redacts what follows the first capture group (a scheme or key that stays readable). */
const afterPrefix = (m: RegExpExecArray): Span => [m.index + (m[1] ?? '').length, m.index + m[0].length];

// Shared by every redactor: accept() sets lastIndex and reads the result in one synchronous step.
const PEM_END = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;

const privateKey: Detector = {
  kind: 'private_key',
  // The regex finds the header only; the end is searched for once from there, so many headers
  // cost one pass, not one pass each. An unterminated block (a cut-off log line) is redacted to
  // the end of the string.
  pattern: /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g,
  needs: { chars: DASH, text: 'PRIVATE KEY' },
  accept: (m) => {
    PEM_END.lastIndex = m.index + m[0].length;
    const found = PEM_END.exec(m.input);
    return [m.index, found ? found.index + found[0].length : m.input.length];
  },
};

const jwt: Detector = {
  kind: 'jwt',
  pattern: /(?<![\w-])(ey[A-Za-z0-9_-]{8,2048})\.[A-Za-z0-9_-]{2,16384}\.[A-Za-z0-9_-]{0,2048}/g,
  needs: { wordRun: 'ey'.length + 8, chars: DOT, text: 'ey' },
  accept: (m) => (jwtHeader(m[1] ?? '') ? whole(m) : undefined),
};

const bearer: Detector = {
  kind: 'bearer',
  pattern: /(?<![\w-])((?:[Bb]earer|BEARER) {1,4})([A-Za-z0-9._~+/=-]{8,4096})/g,
  needs: { length: 'Bearer 12345678'.length, chars: B_VOWEL },
  accept: (m) => (tokenLike(m[2] ?? '') ? afterPrefix(m) : undefined),
};

const basic: Detector = {
  kind: 'basic',
  pattern: /(?<![\w-])((?:[Bb]asic|BASIC) {1,4})([A-Za-z0-9+/]{8,2048}={0,2})(?![A-Za-z0-9+/=])/g,
  needs: { length: 'Basic 12345678'.length, chars: B_VOWEL },
  accept: (m) => (basicCredential(m[2] ?? '') ? afterPrefix(m) : undefined),
};

const urlPassword: Detector = {
  kind: 'password',
  pattern: /(?<![\w+.-])([A-Za-z][A-Za-z0-9+.-]{1,31}:\/\/[^\s:@/?#]{0,128}:)([^\s@/?#]{1,256})@/g,
  needs: { chars: COLON | SLASH | AT, text: '://' },
  accept: (m) => [m.index + (m[1] ?? '').length, m.index + m[0].length - 1],
};

const card: Detector = {
  kind: 'card',
  // Not part of a longer run of digit groups (a list of numbers is not a card).
  pattern:
    /(?<![\w.-])(?<!\d[ -])(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{3})?|\d{4}([ -])\d{6}\2\d{4,5})(?![\w]|[.,]\d|[ -]\d{4})/g,
  needs: { numberDigits: 13 },
  accept: (m) => {
    const text = m[0];
    if (validCard(text)) return whole(m);
    // "4111 1111 1111 1111 123": a trailing CVV-sized group is not part of the number.
    const cut = text.length - 4;
    return text.length > 19 && validCard(text.slice(0, cut)) ? [m.index, m.index + cut] : undefined;
  },
};

function validCard(text: string): boolean {
  const digits = text.replace(/[ -]/g, '');
  return digits.length >= 13 && digits.length <= 19 && cardIssuer(digits) && luhn(digits);
}

const iban: Detector = {
  kind: 'iban',
  pattern: /(?<![A-Za-z0-9])[A-Z]{2}\d{2}[A-Z0-9 ]{10,40}/g,
  needs: { digits: 8, chars: CAPITAL_DIGIT },
  accept: (m) => {
    const length = ibanLength(m[0]);
    return length > 0 ? [m.index, m.index + length] : undefined;
  },
};

const ssn: Detector = {
  kind: 'ssn',
  pattern: /(?<![\w.-])(\d{3})-(\d{2})-(\d{4})(?![\w]|-\w)/g,
  needs: { numberDigits: 9, chars: DASH },
  accept: (m) => (ssnInRange(m[1] ?? '', m[2] ?? '', m[3] ?? '') ? whole(m) : undefined),
};

const IMAGE_SUFFIX = /\.(?:png|jpe?g|gif|svg|webp|bmp|ico|avif)$/i;

const email: Detector = {
  kind: 'email',
  pattern: /(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9][A-Za-z0-9.-]{0,253}\.[A-Za-z]{2,24}(?![\w-])/g,
  needs: { chars: AT },
  accept: (m) => {
    const text = m[0];
    const at = text.indexOf('@');
    const local = text.slice(0, at);
    const domain = text.slice(at + 1);
    if (local.endsWith('.') || text.includes('..') || /(?:^|\.)-|-(?:\.|$)/.test(domain)) return undefined;
    if (IMAGE_SUFFIX.test(domain)) return undefined; // logo@2x.png
    // In `ssh://git@host` and `scheme://user:pw@host` the part before @ is a user name or a password
    // (its own detector), not a mailbox.
    const before = m.input.slice(Math.max(0, m.index - 160), m.index);
    if (before.endsWith('://') || /:\/\/[^\s/@]{0,128}:$/.test(before)) return undefined;
    // `git@github.com:org/repo.git`, `user@host.example.com:22`: a remote, not a mailbox.
    const after = m.input.slice(m.index + text.length, m.index + text.length + 2);
    if (after.length === 2 && after[0] === ':' && !/\s/.test(after[1]!)) return undefined;
    return whole(m);
  },
};

const phone: Detector = {
  kind: 'phone',
  pattern: new RegExp(
    '(?<![\\w.+-])(?:' +
      '\\+[1-9][\\d ().-]{6,24}\\d' + // international
      // National with a trunk 0 (020 7946 0958, (02) 9876 5432), but not the tail of a longer run
      // of digit groups ("DE89 3704 0044 0532 0130 01").
      '|(?<!\\d[ .-])\\(?0[1-9][\\d ().-]{6,20}\\d' +
      '|(?:1[.-])?(?:\\(\\d{3}\\) ?\\d{3}[.-]\\d{4}|\\d{3}([.-])\\d{3}\\1\\d{4})(?![\\w]|[.-]\\d)' + // North American
      ')',
    'g',
  ),
  // phoneLength and nanpDigits accept no fewer than 8 digits, all inside the match.
  needs: { numberDigits: 8 },
  accept: (m) => {
    const text = m[0];
    const first = text[0] === '(' ? text[1] : text[0];
    let length = text.length;
    if (first === '+' || first === '0') length = phoneLength(text, first === '+');
    else if (!nanpDigits(text)) return undefined;
    if (length === 0 || /\w/.test(m.input[m.index + length] ?? '')) return undefined;
    return [m.index, m.index + length];
  },
};

/** In priority order: where two hits start at the same place, the earlier detector names it. */
export function builtInDetectors(isSensitiveKey: (key: string) => boolean): Detector[] {
  return [privateKey, jwt, apiKey, bearer, basic, urlPassword, card, iban, ssn, email, phone, inlineSecret(isSensitiveKey)];
}

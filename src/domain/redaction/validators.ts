// Checks that turn a regex candidate into a confident hit. The regexes are deliberately loose and
// cheap; these functions carry the precision (checksums, issuer ranges, decodable headers), which is
// what keeps order numbers, timestamps and hashes out of the redacted set.

/** Luhn (mod 10) over a string of digits. */
export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Issuer (IIN) ranges and lengths of the major networks. Luhn alone passes one random number in
 * ten; requiring a real issuer prefix keeps 13-digit millisecond timestamps and snowflake ids out.
 */
export function cardIssuer(digits: string): boolean {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const long = n >= 16 && n <= 19;
  if (digits[0] === '4') return n === 13 || n === 16 || n === 19; // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16; // Mastercard
  if (p2 === 34 || p2 === 37) return n === 15; // American Express
  if (p4 >= 2200 && p4 <= 2204) return long; // Mir
  if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65) return long; // Discover
  if (p2 === 62) return long; // UnionPay
  if (p4 >= 3528 && p4 <= 3589) return long; // JCB
  if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39 || p4 === 3095) return n >= 14 && n <= 19; // Diners
  if ([5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763].includes(p4)) return n >= 13; // Maestro
  return false;
}

// IBAN length per country (ISO 13616 registry). A country outside the table is not an IBAN.
const IBAN_LENGTHS: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21,
  CR: 22, CY: 28, CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27,
  GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26,
  IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27,
  MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25,
  QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23,
  TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

/**
 * Length of the IBAN at the start of `text` (compact or grouped by four with single spaces), or 0.
 * The country's fixed length decides where it ends, so a following code ("… 00 EUR") is not
 * swallowed into the checksum.
 */
export function ibanLength(text: string): number {
  const want = IBAN_LENGTHS[text.slice(0, 2)];
  if (want === undefined) return 0;
  let compact = '';
  let i = 0;
  for (; i < text.length && compact.length < want; i++) {
    const c = text[i]!;
    if (c === ' ') {
      // Spaces only between groups of four: "DE89 3704 …".
      if (compact.length % 4 !== 0 || text[i + 1] === ' ') return 0;
      continue;
    }
    compact += c;
  }
  if (compact.length !== want || /[A-Za-z0-9]/.test(text[i] ?? '')) return 0;
  return mod97(compact) === 1 ? i : 0;
}

function mod97(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const c of rearranged) {
    const code = c.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    rest = (value > 9 ? rest * 100 + value : rest * 10 + value) % 97;
  }
  return rest;
}

/** US SSA rules: no area 000, 666 or 900-999, no group 00, no serial 0000. */
export function ssnInRange(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  return a !== 0 && a !== 666 && a < 900 && group !== '00' && serial !== '0000';
}

/** A JWT header is base64url JSON naming its algorithm. */
export function jwtHeader(part: string): boolean {
  try {
    const header: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && typeof (header as { alg?: unknown }).alg === 'string';
  } catch {
    return false;
  }
}

/** `Basic` credentials are base64 of printable `user:password`; "Basic usage" is not. */
export function basicCredential(b64: string): boolean {
  if (b64.length < 8 || b64.length % 4 !== 0) return false;
  const text = Buffer.from(b64, 'base64').toString('utf8');
  return text.includes(':') && /^[\x20-\x7e\u00a0-\uffef]{3,1536}$/.test(text) && !text.includes('\ufffd');
}

/**
 * Whether `s` (from `from` on) has at least `n` different characters, counted as `new Set(s)`
 * counts them (by code point). Stops as soon as it has: a real key gets there within a few
 * characters, so a long token costs no more than a short one.
 */
export function distinctAtLeast(s: string, n: number, from = 0): boolean {
  const seen: number[] = [];
  for (let i = from; i < s.length; ) {
    const c = s.codePointAt(i)!;
    i += c > 0xffff ? 2 : 1;
    if (!seen.includes(c) && seen.push(c) >= n) return true;
  }
  return n <= 0;
}

/**
 * Random-looking enough to be a credential: mixes character classes and is not a placeholder such
 * as `sk-xxxxxxxx…` or a hyphenated phrase such as `sk-proj-documentation-overview`.
 */
export function looksRandom(body: string): boolean {
  // Two of lower, upper and digit, one of them a digit.
  return distinctAtLeast(body, 6) && /[0-9]/.test(body) && /[A-Za-z]/.test(body);
}

/** Bearer tokens: long enough, and not an English word ("bearer authentication"). */
export function tokenLike(token: string): boolean {
  if (token.length < 8 || !distinctAtLeast(token, 5)) return false;
  if (/[0-9]/.test(token)) return true;
  return token.length >= 20 && /[a-z]/.test(token) && /[A-Z]/.test(token);
}

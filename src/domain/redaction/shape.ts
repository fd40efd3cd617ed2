// A detector's pre-check, as data: what each of its hits contains (`Needs`), compared with one
// pass over the string's characters (`Shape`). Payloads are mostly short strings with nothing
// secret in them; for those, a dozen regex scans (or a pre-check function per detector) cost far
// more than one loop and a few comparisons. Needs are read off the detector's regex and validator,
// never guessed, so a detector is skipped only where it could not have redacted anything
// (tests/redaction-scan.test.ts checks this against scanning everything).

export interface Shape {
  /** Digits anywhere in the string. */
  digits: number;
  /** Which of the flagged characters (AT, COLON, …) and pairs (B_VOWEL, …) occur. */
  chars: number;
  /** Longest run of [A-Za-z0-9_-]. */
  wordRun: number;
  /** Most digits in one run of [0-9 ().+-], where phone, card and SSN numbers lie. */
  numberDigits: number;
}

/** Minimums (length and the Shape's counts) and flags; absent means no requirement. */
export interface Needs {
  length?: number;
  digits?: number;
  wordRun?: number;
  numberDigits?: number;
  /** All of these flags. */
  chars?: number;
  /** At least one of these flags. */
  someChar?: number;
  /** This substring (checked last: it is the one check that reads the string again). */
  text?: string;
}

const WORD = 1;
const NUMBER_SHIFT = 1;
const NUMBER = 1 << NUMBER_SHIFT;
const DIGIT_SHIFT = 2;
const DIGIT = 1 << DIGIT_SHIFT;
export const AT = 1 << 3;
export const COLON = 1 << 4;
export const EQUALS = 1 << 5;
export const SLASH = 1 << 6;
export const DASH = 1 << 7;
export const DOT = 1 << 8;
// Two characters in a row: a character with a lead bit directly followed by one with the matching
// follow bit (the lead bit, PAIR_SHIFT places up) puts that follow bit in `chars`.
const PAIR_SHIFT = 2;
const B_LEAD = 1 << 9;
const CAPITAL_LEAD = 1 << 10;
/** `Be`, `ba`, `BA`, …: how `Bearer` and `Basic` start, in any case. */
export const B_VOWEL = B_LEAD << PAIR_SHIFT;
/** A capital letter then a digit: an IBAN's country code and check digits meet so. */
export const CAPITAL_DIGIT = CAPITAL_LEAD << PAIR_SHIFT;
const FOLLOWS = B_VOWEL | CAPITAL_DIGIT;

/** Class and flag bits of each UTF-16 code unit: only ASCII has any, the rest end every run. */
const TABLE = new Uint16Array(65536);
const mark = (chars: string, bits: number) => {
  for (const c of chars) TABLE[c.charCodeAt(0)]! |= bits;
};
const markRange = (from: string, to: string, bits: number) => {
  for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) TABLE[c]! |= bits;
};
markRange('a', 'z', WORD);
markRange('A', 'Z', WORD | CAPITAL_LEAD);
markRange('0', '9', WORD | NUMBER | DIGIT | CAPITAL_DIGIT);
mark('Bb', B_LEAD);
mark('aeAE', B_VOWEL);
mark('_', WORD);
mark('-', WORD | NUMBER | DASH);
mark(' ().+', NUMBER);
mark('@', AT);
mark(':', COLON);
mark('=', EQUALS);
mark('/', SLASH);
mark('.', DOT);

export const emptyShape = (): Shape => ({ digits: 0, chars: 0, wordRun: 0, numberDigits: 0 });

/** Fills `into` (reused across strings, so measuring allocates nothing) with the shape of `s`. */
export function measure(s: string, into: Shape): void {
  let digits = 0;
  let chars = 0;
  let word = 0;
  let wordRun = 0;
  let number = 0;
  let numberDigits = 0;
  let previous = 0;
  let pairs = 0;
  // Without branches: a character's class in random-looking text is unpredictable, and a
  // mispredicted branch per run per character costs more than all of this arithmetic.
  for (let i = 0; i < s.length; i++) {
    const bits = TABLE[s.charCodeAt(i)]!;
    chars |= bits;
    const digit = (bits >> DIGIT_SHIFT) & 1;
    digits += digit;
    word = (word + 1) & -(bits & WORD);
    wordRun = Math.max(word, wordRun);
    number = (number + digit) & -((bits >> NUMBER_SHIFT) & 1);
    numberDigits = Math.max(number, numberDigits);
    pairs |= (previous << PAIR_SHIFT) & bits;
    previous = bits;
  }
  into.digits = digits;
  into.chars = (chars & ~FOLLOWS) | (pairs & FOLLOWS);
  into.wordRun = wordRun;
  into.numberDigits = numberDigits;
}

/** Needs with every field present, so that all share one hidden class and compare fast. */
export type AllNeeds = Required<Needs>;

export const allNeeds = (needs: Needs = {}): AllNeeds => ({
  length: needs.length ?? 0,
  digits: needs.digits ?? 0,
  wordRun: needs.wordRun ?? 0,
  numberDigits: needs.numberDigits ?? 0,
  chars: needs.chars ?? 0,
  someChar: needs.someChar ?? 0,
  text: needs.text ?? '',
});

export function fits(s: string, shape: Shape, needs: AllNeeds): boolean {
  return (
    s.length >= needs.length &&
    shape.digits >= needs.digits &&
    shape.wordRun >= needs.wordRun &&
    shape.numberDigits >= needs.numberDigits &&
    (shape.chars & needs.chars) === needs.chars &&
    (needs.someChar === 0 || (shape.chars & needs.someChar) !== 0) &&
    (needs.text === '' || s.includes(needs.text))
  );
}

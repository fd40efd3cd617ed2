// Phone numbers come in too many layouts for one strict regex, and a loose regex run to its
// longest match swallows what follows ("+44 20 7946 0958 - 2024"). So the regex only finds a
// candidate run of digits and separators, and this walk keeps the longest prefix that is a
// plausible number.

const SEPARATORS = ' .-()';

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/**
 * Length of the phone number at the start of `text`, or 0. International numbers start with `+`
 * and have 8-15 digits (E.164); national ones start with a trunk 0, have 10-12 digits, are split
 * into groups and use one separator throughout, which keeps "05-06-2024 10:20" out.
 */
export function phoneLength(text: string, international: boolean): number {
  const min = international ? 8 : 10;
  const max = international ? 15 : 12;
  let digits = 0;
  let groups = 0;
  let best = 0;
  let open = false;
  let separator: string | undefined;
  let i = international ? 1 : 0;
  while (i < text.length) {
    let j = i;
    while (j < text.length && j - i < 3 && SEPARATORS.includes(text[j]!)) j++;
    if (j > i) {
      // A country code has at most 3 digits and a trunk-0 area code at most 5; longer leading
      // groups belong to ids such as UUIDs ("08848929-7721-…").
      if (groups === 1 && digits > (international ? 3 : 5)) break;
      const run = text.slice(i, j);
      const plain = run.replace(/[()]/g, '');
      if (plain.length > 1 || (plain.length === 0 && run.length > 1)) break;
      const opens = run.endsWith('(');
      const closes = run.startsWith(')');
      if (run.length - plain.length !== Number(opens) + Number(closes)) break;
      if ((opens && open) || (closes && !open)) break;
      if (closes) open = false;
      if (opens) open = true;
      if (!international && !opens && !closes) {
        if (separator === undefined) separator = plain;
        else if (plain !== separator) break;
      }
      i = j;
    }
    let k = i;
    while (isDigit(text[k])) k++;
    if (k === i) break;
    digits += k - i;
    groups++;
    if (digits > max) break;
    i = k;
    // A single unbroken run is only a phone when written internationally and long enough.
    const enough = groups === 1 ? international && digits >= 10 : digits >= min;
    if (!open && enough) best = i;
  }
  return best;
}

/** North American numbers: area code and exchange never start with 0 or 1. */
export function nanpDigits(text: string): boolean {
  const digits = text.replace(/\D/g, '');
  const local = digits.length === 11 ? digits.slice(1) : digits;
  return local.length === 10 && local[0]! >= '2' && local[3]! >= '2';
}

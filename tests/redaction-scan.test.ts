// The scanner's shortcuts must not change what is redacted: detectors skipped by their pre-check
// (`needs`), and inline keys read back from their separator rather than forward from each word.
import { describe, expect, it } from 'vitest';
import { builtInDetectors } from '../src/domain/redaction/detectors.js';
import { createRedactor } from '../src/domain/redaction/index.js';
import { createKeyClassifier } from '../src/domain/redaction/keys.js';
import { createScanner } from '../src/domain/redaction/scan.js';
import { corpus } from './redaction-corpus.js';

const SECRET = '[REDACTED:secret]';

/** The corpus, pairs of its texts run together, and each text with a character dropped here and there. */
function variants(): string[] {
  const texts = corpus.map((e) => e.text);
  const out = [...texts];
  texts.forEach((text, i) => {
    const next = texts[(i + 1) % texts.length]!;
    out.push(`${text} ${next}`, text + next);
    for (const at of [0, text.length >> 1, text.length - 1]) out.push(text.slice(0, at) + text.slice(at + 1));
  });
  return out;
}

describe('scanner shortcuts', () => {
  it('skips a detector only where it could not have redacted anything', () => {
    const detectors = builtInDetectors(createKeyClassifier());
    const copy = (keepNeeds: boolean) => detectors.map((d) => ({ ...d, pattern: new RegExp(d.pattern), needs: keepNeeds ? d.needs : undefined }));
    const withChecks = createScanner(copy(true), 1);
    const withoutChecks = createScanner(copy(false), 1);
    const texts = variants();
    expect(texts.filter((t) => withoutChecks(t).redactions > 0).length).toBeGreaterThan(500);
    for (const text of texts) expect(withChecks(text), text).toEqual(withoutChecks(text));
  });

  it('reads an inline key as a scan forward from the last hit would', () => {
    const { redactString } = createRedactor();
    const cases: [string, string][] = [
      ['"password" :  "x"', `"password" :  "${SECRET}"`],
      ['x--pin=1234', `x--pin=${SECRET}`], // `x--pin` is no secret; the flag `pin` after `--` is
      ['--token=abc123', `--token=${SECRET}`],
      ['page-token=abc', 'page-token=abc'], // not retried as `token` after a single `-`
      [`${'k'.repeat(70)}=v`, `${'k'.repeat(70)}=v`], // longer than a key may be
      // A value is read up to 512 characters; a key does not start inside the part redacted.
      [`password=${'a'.repeat(508)}+token=abc`, `password=${SECRET}en=abc`],
    ];
    for (const [text, expected] of cases) expect(redactString(text).value, text).toBe(expected);
  });
});

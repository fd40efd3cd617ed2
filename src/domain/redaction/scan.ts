// Redaction inside one string: every detector that passes its pre-check scans once, hits are
// ordered by position (then detector priority), and overlapping hits are merged so that no part
// of either survives.
import { DIGIT_CAP, type Detector } from './detectors.js';

/** Below this length no built-in detector can match ("pin=1" is the shortest hit). */
export const BUILT_IN_MIN_LENGTH = 5;

export interface StringRedaction {
  value: string;
  redactions: number;
}

interface Hit {
  start: number;
  end: number;
  priority: number;
  kind: string;
}

export const marker = (kind: string): string => `[REDACTED:${kind}]`;

export function createScanner(detectors: readonly Detector[], minLength: number): (s: string) => StringRedaction {
  return (s) => {
    if (s.length < minLength) return { value: s, redactions: 0 };
    const digits = countDigits(s);
    const hits: Hit[] = [];
    detectors.forEach((detector, priority) => {
      if (!detector.applies || detector.applies(s, digits)) collect(detector, priority, s, hits);
    });
    if (hits.length === 0) return { value: s, redactions: 0 };
    hits.sort((a, b) => a.start - b.start || a.priority - b.priority);
    let value = '';
    let at = 0;
    let redactions = 0;
    let current = hits[0]!;
    const flush = (hit: Hit) => {
      value += s.slice(at, hit.start) + marker(hit.kind);
      at = hit.end;
      redactions++;
    };
    for (const hit of hits.slice(1)) {
      if (hit.start < current.end) current = { ...current, end: Math.max(current.end, hit.end) };
      else {
        flush(current);
        current = hit;
      }
    }
    flush(current);
    return { value: value + s.slice(at), redactions };
  };
}

function collect(detector: Detector, priority: number, s: string, hits: Hit[]): void {
  const re = detector.pattern;
  re.lastIndex = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const span = detector.accept ? detector.accept(m) : ([m.index, m.index + m[0].length] as const);
    if (span && span[1] > span[0]) {
      hits.push({ start: span[0], end: span[1], priority, kind: detector.kind });
      re.lastIndex = Math.max(span[1], m.index + 1);
    } else {
      // A rejected candidate may hide a real one starting inside it.
      re.lastIndex = m.index + 1;
    }
  }
}

function countDigits(s: string): number {
  let digits = 0;
  for (let i = 0; i < s.length && digits < DIGIT_CAP; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  return digits;
}

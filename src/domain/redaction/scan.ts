// Redaction inside one string: the string's shape is measured once, every detector whose
// pre-check passes scans once, hits are ordered by position (then detector priority), and
// overlapping hits are merged so that no part of either survives.
import type { Detector, Span } from './detectors.js';
import { allNeeds, emptyShape, fits, measure, type AllNeeds } from './shape.js';

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
  marker: string;
}

/** A detector with every field present, so that all of them share one hidden class. */
interface Compiled {
  marker: string;
  pattern: RegExp;
  needs: AllNeeds;
  accept: (m: RegExpExecArray, from: number) => Span | undefined;
}

const whole = (m: RegExpExecArray): Span => [m.index, m.index + m[0].length];

export const marker = (kind: string): string => `[REDACTED:${kind}]`;

export function createScanner(detectors: readonly Detector[], minLength: number): (s: string) => StringRedaction {
  const compiled = detectors.map(
    (d): Compiled => ({ marker: marker(d.kind), pattern: d.pattern, needs: allNeeds(d.needs), accept: d.accept ?? whole }),
  );
  // Scans run one at a time (nothing in a scan is asynchronous), so one shape serves them all.
  const shape = emptyShape();
  return (s) => {
    if (s.length < minLength) return { value: s, redactions: 0 };
    measure(s, shape);
    let hits: Hit[] | undefined;
    for (let priority = 0; priority < compiled.length; priority++) {
      const detector = compiled[priority]!;
      if (fits(s, shape, detector.needs)) hits = collect(detector, priority, s, hits);
    }
    return hits ? replace(s, hits) : { value: s, redactions: 0 };
  };
}

/** Adds the detector's hits in `s` to `hits`, created when the first one is found. */
function collect(detector: Compiled, priority: number, s: string, hits: Hit[] | undefined): Hit[] | undefined {
  const re = detector.pattern;
  re.lastIndex = 0;
  for (let from = 0, m = re.exec(s); m !== null; from = re.lastIndex, m = re.exec(s)) {
    const span = detector.accept(m, from);
    if (span && span[1] > span[0]) {
      (hits ??= []).push({ start: span[0], end: span[1], priority, marker: detector.marker });
      re.lastIndex = Math.max(span[1], m.index + 1);
    } else {
      // A rejected candidate may hide a real one starting inside it.
      re.lastIndex = m.index + 1;
    }
  }
  return hits;
}

function replace(s: string, hits: Hit[]): StringRedaction {
  hits.sort((a, b) => a.start - b.start || a.priority - b.priority);
  let value = '';
  let at = 0;
  let redactions = 0;
  let { start, end, marker } = hits[0]!;
  for (let i = 1; i <= hits.length; i++) {
    const hit = hits[i];
    if (hit && hit.start < end) {
      end = Math.max(end, hit.end);
      continue;
    }
    value += s.slice(at, start) + marker;
    at = end;
    redactions++;
    if (hit) ({ start, end, marker } = hit);
  }
  return { value: value + s.slice(at), redactions };
}

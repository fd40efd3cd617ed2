// Steps 2 and 3 of resolution: order the matching routes, and split canary ties by weight,
// sticky per caller and intent.
import { createHash } from 'node:crypto';
import type { Route } from '../../store/index.js';
import { compareSpecificity, specificity, type Specificity } from '../patterns.js';

export interface Ranked {
  route: Route;
  /** Why it sits where it does, relative to the route ranked first. */
  note: string;
}

interface Key {
  envRank: number;
  specificity: Specificity;
  priority: number;
}

function key(route: Route, environment: string | undefined): Key {
  return { envRank: route.environment === environment ? 0 : 1, specificity: specificity(route.intentPattern), priority: route.priority };
}

const compareKeys = (a: Key, b: Key) => a.envRank - b.envRank || compareSpecificity(a.specificity, b.specificity) || b.priority - a.priority;

/** A number in [0, 1) from the caller and intent: the same caller always lands the same way. */
export function stickyPoint(principalId: string, intent: string): number {
  return createHash('sha256').update(`${principalId}\u0000${intent}`).digest().readUInt32BE(0) / 2 ** 32;
}

export function rankRoutes(routes: Route[], environment: string | undefined, principalId: string, intent: string): { ordered: Route[]; notes: string[] } {
  const sorted = [...routes].sort((a, b) => compareKeys(key(a, environment), key(b, environment)) || a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  const notes: string[] = [];
  // Group equally ranked routes; a group with weights is a canary split.
  const groups: Route[][] = [];
  for (const route of sorted) {
    const last = groups[groups.length - 1];
    if (last && compareKeys(key(last[0]!, environment), key(route, environment)) === 0) last.push(route);
    else groups.push([route]);
  }
  const ordered: Route[] = [];
  for (const group of groups) {
    const weighted = group.filter((r) => r.weight);
    if (weighted.length < 2) {
      ordered.push(...group);
      continue;
    }
    const total = weighted.reduce((sum, r) => sum + r.weight!, 0);
    const point = stickyPoint(principalId, intent) * total;
    let acc = 0;
    const pick = weighted.find((r) => (acc += r.weight!) > point) ?? weighted[weighted.length - 1]!;
    notes.push(
      `canary: ${weighted.map((r) => `${r.id} (weight ${r.weight})`).join(', ')} rank equally; this caller's sticky point ${point.toFixed(1)} of ${total} picks ${pick.id}`,
    );
    ordered.push(pick, ...group.filter((r) => r !== pick).sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0)));
  }
  return { ordered, notes };
}

/** Why `loser` ranked below `winner`. */
export function whyLower(loser: Route, winner: Route, environment: string | undefined): string {
  const [l, w] = [key(loser, environment), key(winner, environment)];
  if (l.envRank !== w.envRank) return `its environment * ranks after the exact environment ${environment}`;
  if (compareSpecificity(l.specificity, w.specificity) !== 0) return `its pattern ${loser.intentPattern} is less specific than ${winner.intentPattern}`;
  if (l.priority !== w.priority) return `its priority ${loser.priority} is lower than ${winner.priority}`;
  if (loser.weight && winner.weight) return 'the canary split sent this caller the other way';
  return 'it is newer than an equally ranked route';
}

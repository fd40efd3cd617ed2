// Wording of decisions. A denied model reads the reason to decide what to do next, so it names
// the policy, or the action, resource and principal nothing allowed.
import type { Principal } from '../principal.js';
import type { Effect, PolicyRequest } from './schema.js';
import { formatValue } from './values.js';

export interface Applied {
  name: string;
  effect: Effect;
  /** Set when a deny applied although one of its conditions could not be evaluated. */
  notes?: string[];
}

/** The names a principal answers to in policy principals: user:<id> and role:<name> per role. */
export function principalSubjects(principal: Principal): string[] {
  return [`user:${principal.id}`, ...principal.roles.map((r) => `role:${r}`)];
}

export function describePrincipal(principal: Principal): string {
  const roles = principal.roles.length > 0 ? principal.roles.map((r) => `role:${r}`).join(', ') : 'no roles';
  return `user:${principal.id} with ${roles}`;
}

const names = (applied: Applied[]): string =>
  `${applied.length === 1 ? 'policy' : 'policies'} ${applied.map((a) => `'${a.name}'`).join(', ')}`;

export function decisionReason(request: PolicyRequest, deciding: Applied[], overriddenAllows: Applied[]): string {
  const first = deciding[0];
  if (!first) {
    const where = request.environment === undefined ? '' : ` in ${request.environment}`;
    return `no policy allows ${request.action} on ${formatValue(request.resource)}${where} for ${describePrincipal(request.principal)}; access is denied by default`;
  }
  if (first.effect === 'allow') return `allowed by ${names(deciding)}`;
  const notes = deciding.flatMap((d) => d.notes ?? []);
  const overrides = overriddenAllows.length > 0 ? `; deny overrides the allow from ${names(overriddenAllows)}` : '';
  return `denied by ${names(deciding)}${overrides}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

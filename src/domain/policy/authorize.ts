// The policy decision applied to every Switchboard call, and the tools a principal may see.
import type { Deps } from '../deps.js';
import { compilePattern } from '../patterns.js';
import type { Principal } from '../principal.js';
import type { Decision } from './evaluate.js';
import { principalSubjects } from './explain.js';
import type { PolicyRequest } from './schema.js';

export async function authorize(deps: Deps, request: PolicyRequest, explain = false): Promise<Decision> {
  const evaluator = await deps.cache.policyEvaluator();
  const context = { time: deps.clock().toISOString(), ...request.context };
  return evaluator.evaluate({ ...request, context }, { explain, now: deps.clock() });
}

/**
 * The actions a principal could be allowed for some resource: an enabled allow names it for the
 * principal, and no unconditional deny of every resource in every environment takes it away.
 * tools/list shows only these; each call is still decided in full.
 */
export async function visibleActions(deps: Deps, principal: Principal, actions: string[]): Promise<Set<string>> {
  const subjects = principalSubjects(principal);
  const matches = (patterns: string[], value: string) => patterns.some((p) => compilePattern(p)(value));
  const applicable = (await deps.cache.policies()).filter((p) => p.enabled && (p.principals.includes('*') || subjects.some((s) => matches(p.principals, s))));
  const visible = new Set<string>();
  for (const action of actions) {
    const allowed = applicable.some((p) => p.effect === 'allow' && matches(p.actions, action));
    const blocked = applicable.some(
      (p) => p.effect === 'deny' && matches(p.actions, action) && p.conditions.length === 0 && p.resources.includes('**') && p.environments.includes('*'),
    );
    if (allowed && !blocked) visible.add(action);
  }
  return visible;
}

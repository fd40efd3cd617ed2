// A deliberately plain evaluator with the same semantics as evaluate.ts: no index, no compiled
// patterns, its own naive pattern matcher and attribute lookup. The property test checks the fast
// evaluator against it; only the condition operators themselves are shared.
import { checkCondition } from './conditions.js';
import { isRef, type Policy, type PolicyRequest } from './schema.js';

export interface ReferenceDecision {
  decision: 'allow' | 'deny';
  deciding: string[];
}

export function referenceEvaluate(policies: readonly Policy[], request: PolicyRequest, now?: Date): ReferenceDecision {
  const denies: string[] = [];
  const allows: string[] = [];
  for (const policy of policies) {
    if (applies(policy, request, now)) (policy.effect === 'deny' ? denies : allows).push(policy.name);
  }
  if (denies.length > 0) return { decision: 'deny', deciding: denies };
  return allows.length > 0 ? { decision: 'allow', deciding: allows } : { decision: 'deny', deciding: [] };
}

function applies(policy: Policy, request: PolicyRequest, now: Date | undefined): boolean {
  if (!policy.enabled) return false;
  const subjects = ['user:' + request.principal.id];
  for (const role of request.principal.roles) subjects.push('role:' + role);
  let principalOk = false;
  for (const p of policy.principals) {
    for (const s of subjects) if (p === '*' || naiveMatch(p, s)) principalOk = true;
  }
  if (!principalOk) return false;
  if (!policy.actions.some((a) => naiveMatch(a, request.action))) return false;
  if (!policy.resources.some((r) => naiveMatch(r, request.resource))) return false;
  const env = request.environment;
  if (env === undefined) {
    if (!policy.environments.includes('*') && !policy.environments.includes('**')) return false;
  } else if (!policy.environments.some((e) => naiveMatch(e, env))) {
    return false;
  }
  for (const c of policy.conditions) {
    const expected = isRef(c.value) ? lookup(c.value.ref, request, now) : c.value;
    const outcome = checkCondition(c, lookup(c.attribute, request, now), expected);
    const holds = 'error' in outcome ? policy.effect === 'deny' : outcome.holds;
    if (!holds) return false;
  }
  return true;
}

export function naiveMatch(pattern: string, value: string): boolean {
  return matchSegments(pattern.split('.'), value.split('.'));
}

function matchSegments(p: string[], v: string[]): boolean {
  if (p.length === 0) return v.length === 0;
  const [head, ...rest] = p;
  if (head === '**') return matchSegments(rest, v) || (v.length > 0 && matchSegments(p, v.slice(1)));
  return v.length > 0 && matchChars(head!, v[0]!) && matchSegments(rest, v.slice(1));
}

function matchChars(p: string, s: string): boolean {
  if (p === '') return s === '';
  if (p[0] === '*') return matchChars(p.slice(1), s) || (s.length > 0 && matchChars(p, s.slice(1)));
  return s.length > 0 && p[0] === s[0] && matchChars(p.slice(1), s.slice(1));
}

function lookup(path: string, request: PolicyRequest, now: Date | undefined): unknown {
  const keys = path.split('.');
  let at: unknown;
  if (path === 'principal.id') return request.principal.id;
  if (path === 'principal.roles') return request.principal.roles;
  if (path === 'resource') return request.resource;
  if (path === 'action') return request.action;
  if (path === 'environment') return request.environment;
  if (keys[0] === 'principal') {
    at = request.principal.attributes;
    keys.splice(0, 2);
  } else {
    at = request.context;
    keys.splice(0, 1);
  }
  for (const key of keys) {
    const isRecord = typeof at === 'object' && at !== null && !Array.isArray(at) && !(at instanceof Date);
    at = isRecord && Object.prototype.hasOwnProperty.call(at, key) ? (at as Record<string, unknown>)[key] : undefined;
  }
  if (at === undefined && path === 'context.time' && now) return now.toISOString();
  return at;
}

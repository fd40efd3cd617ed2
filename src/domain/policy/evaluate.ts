// The policy decision point: policies compiled once (patterns, regexes, CIDRs, attribute paths)
// and indexed by action, so a request only looks at policies that name its action or an action
// pattern matching it.
import { Invalid } from '../errors.js';
import { compilePattern, validatePattern } from '../patterns.js';
import { compileCondition, describeCondition, type CompiledCondition } from './conditions.js';
import { decisionReason, describePrincipal, principalSubjects, type Applied } from './explain.js';
import type { Effect, Policy, PolicyRequest } from './schema.js';
import { formatValue } from './values.js';

export interface Decision {
  decision: 'allow' | 'deny';
  /** Written for the model or person asking: which policy decided, or that none allowed. */
  reason: string;
  /** Every applicable deny when denied by policy, else every applicable allow. */
  deciding: Applied[];
  /** With explain: policies that name the action but did not apply, and the first part that failed. */
  nearMisses?: { name: string; effect: Effect; why: string }[];
}

export interface EvaluateOptions {
  explain?: boolean;
  /** The evaluation clock; it stands in for context.time. Without it, time conditions fail closed. */
  now?: Date;
}

export interface PolicyEvaluator {
  readonly size: number;
  evaluate(request: PolicyRequest, options?: EvaluateOptions): Decision;
}

type Matcher = (value: string) => boolean;
type Verdict = { applies: true; notes: string[] } | { applies: false; why: () => string };

interface CompiledPolicy {
  policy: Policy;
  rank: number;
  anyone: boolean;
  principals: Matcher[];
  resources: Matcher[];
  environments: Matcher[];
  anyEnvironment: boolean;
  conditions: { describe: () => string; run: CompiledCondition }[];
}

/** Throws Invalid when a policy carries a pattern the schema would have refused. */
export function compilePolicies(policies: readonly Policy[]): PolicyEvaluator {
  const ordered = [...policies].sort((a, b) => b.priority - a.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const exact = new Map<string, CompiledPolicy[]>();
  const patterned = new Map<string, { matches: Matcher; policies: CompiledPolicy[] }>();
  ordered.forEach((policy, rank) => {
    const compiled = compilePolicy(policy, rank);
    for (const action of new Set(policy.actions)) {
      if (!action.includes('*')) push(exact, action, compiled);
      else {
        const entry = patterned.get(action) ?? { matches: compilePattern(action), policies: [] };
        entry.policies.push(compiled);
        patterned.set(action, entry);
      }
    }
  });

  const candidates = (action: string): CompiledPolicy[] => {
    const lists = [exact.get(action) ?? []];
    for (const entry of patterned.values()) if (entry.matches(action)) lists.push(entry.policies);
    if (lists.length === 1) return lists[0]!;
    // A policy may sit under several keys that all match; keep it once, in rank order.
    return [...new Set(lists.flat())].sort((a, b) => a.rank - b.rank);
  };

  return {
    size: ordered.length,
    evaluate: (request, options = {}) => decide(candidates(request.action), request, options),
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function compilePolicy(policy: Policy, rank: number): CompiledPolicy {
  // compilePattern lets an invalid pattern match nothing, which would silently switch a deny off.
  for (const p of [...policy.principals, ...policy.actions, ...policy.resources, ...policy.environments]) {
    const problem = validatePattern(p);
    if (problem) throw new Invalid(`Policy '${policy.name}' cannot be used: ${problem}. Fix the policy and save it again.`);
  }
  return {
    policy,
    rank,
    // A bare `*` means anyone; as a pattern it would miss ids that contain dots.
    anyone: policy.principals.includes('*'),
    principals: policy.principals.map(compilePattern),
    resources: policy.resources.map(compilePattern),
    environments: policy.environments.map(compilePattern),
    anyEnvironment: policy.environments.some((e) => e === '*' || e === '**'),
    conditions: policy.conditions.map((c) => ({ describe: () => describeCondition(c), run: compileCondition(c) })),
  };
}

function decide(candidates: CompiledPolicy[], request: PolicyRequest, options: EvaluateOptions): Decision {
  const subjects = principalSubjects(request.principal);
  const allows: Applied[] = [];
  const denies: Applied[] = [];
  const nearMisses: NonNullable<Decision['nearMisses']> = [];
  for (const c of candidates) {
    const verdict = check(c, request, subjects, options.now);
    const { name, effect } = c.policy;
    if (verdict.applies) (effect === 'deny' ? denies : allows).push(verdict.notes.length > 0 ? { name, effect, notes: verdict.notes } : { name, effect });
    else if (options.explain) nearMisses.push({ name, effect, why: verdict.why() });
  }
  const decision = denies.length === 0 && allows.length > 0 ? 'allow' : 'deny';
  const deciding = decision === 'allow' ? allows : denies;
  return {
    decision,
    reason: decisionReason(request, deciding, denies.length > 0 ? allows : []),
    deciding,
    ...(options.explain ? { nearMisses } : {}),
  };
}

function check(c: CompiledPolicy, request: PolicyRequest, subjects: string[], now: Date | undefined): Verdict {
  const p = c.policy;
  if (!p.enabled) return miss(() => 'policy is disabled');
  if (!c.anyone && !subjects.some((s) => c.principals.some((m) => m(s)))) {
    return miss(() => `principal ${describePrincipal(request.principal)} does not match principals ${list(p.principals)}`);
  }
  if (!c.resources.some((m) => m(request.resource))) return miss(() => `resource ${formatValue(request.resource)} does not match resources ${list(p.resources)}`);
  const env = request.environment;
  if (env === undefined ? !c.anyEnvironment : !c.environments.some((m) => m(env))) {
    return miss(() =>
      env === undefined
        ? `the request names no environment and environments ${list(p.environments)} do not include '*'`
        : `environment ${formatValue(env)} does not match environments ${list(p.environments)}`,
    );
  }
  const notes: string[] = [];
  for (const condition of c.conditions) {
    const outcome = condition.run(request, now);
    if ('error' in outcome) {
      const text = `condition ${condition.describe()} could not be evaluated: ${outcome.error}`;
      // Fail closed: an error never lets an allow apply and never switches a deny off.
      if (p.effect === 'allow') return miss(() => text);
      notes.push(`${text}; a deny applies when its condition cannot be evaluated`);
    } else if (!outcome.holds) {
      return miss(() => `condition ${condition.describe()} failed: value ${formatValue(outcome.actual)}`);
    }
  }
  return { applies: true, notes };
}

const miss = (why: () => string): Verdict => ({ applies: false, why });
const list = (items: string[]): string => `[${items.map((i) => `'${i}'`).join(', ')}]`;

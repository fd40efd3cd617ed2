// Policy decision latency at 10, 1,000 and 10,000 policies: Switchboard's compiled evaluator beside
// Cedar (@cedar-policy/cedar-wasm, policy set preparsed) and casbin (RBAC with keyMatch), on an
// equivalent policy set: role-based allows on one action and a resource prefix, plus denies.
import { fileURLToPath } from 'node:url';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { newEnforcer, newModelFromString, StringAdapter } from 'casbin';
import { compilePolicies } from '../src/domain/policy/evaluate.js';
import type { Policy } from '../src/domain/policy/schema.js';
import { median, percentile, round } from './stats.js';

const ROLES = 50;
const ACTIONS = 40;

/** Policy i: allow role r(i%50) action tool(i%40) on svc(i).**; every 10th one is a deny. */
function spec(i: number) {
  return { role: `r${i % ROLES}`, action: `tool${i % ACTIONS}`, prefix: `svc${i}`, deny: i % 10 === 9 };
}

function switchboardPolicies(n: number): Policy[] {
  return Array.from({ length: n }, (_, i) => {
    const s = spec(i);
    return { name: `p${i}`, effect: s.deny ? 'deny' : 'allow', principals: [`role:${s.role}`], actions: [s.action], resources: [`${s.prefix}.**`], environments: ['*'], conditions: [], priority: 0, enabled: true };
  });
}

function cedarText(n: number): string {
  return Array.from({ length: n }, (_, i) => {
    const s = spec(i);
    return `${s.deny ? 'forbid' : 'permit'}(principal in Role::"${s.role}", action == Action::"${s.action}", resource) when { resource.path like "${s.prefix}.*" };`;
  }).join('\n');
}

const casbinModel = `
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act, eft
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))
[matchers]
m = g(r.sub, p.sub) && keyMatch(r.obj, p.obj) && r.act == p.act
`;

function casbinPolicies(n: number): string {
  const lines = Array.from({ length: n }, (_, i) => {
    const s = spec(i);
    return `p, ${s.role}, ${s.prefix}.*, ${s.action}, ${s.deny ? 'deny' : 'allow'}`;
  });
  lines.push('g, alice, r7');
  return lines.join('\n');
}

/** Requests that hit, miss, and hit a deny, spread over the set. */
function requests(n: number) {
  return Array.from({ length: 64 }, (_, k) => {
    const i = (k * 7919) % n;
    const s = spec(i);
    return { action: s.action, resource: `${s.prefix}.orders.read`, roleMatches: s.role === 'r7' };
  });
}

function time(iterations: number, run: (k: number) => void): number[] {
  const samples: number[] = [];
  for (let k = 0; k < iterations; k++) {
    const started = performance.now();
    run(k);
    samples.push((performance.now() - started) * 1000);
  }
  return samples;
}

const stats = (samples: number[]) => ({ p50Us: round(median(samples), 2), p99Us: round(percentile(samples, 99), 2) });

export async function policyBench(iterations = 3_000) {
  const rows = [];
  for (const n of [10, 1_000, 10_000]) {
    const reqs = requests(n);
    const evaluator = compilePolicies(switchboardPolicies(n));
    const principal = { id: 'alice', roles: ['r7'], attributes: {} };
    const ours = time(iterations, (k) => {
      const r = reqs[k % reqs.length]!;
      evaluator.evaluate({ principal, action: r.action, resource: r.resource });
    });

    const prepared = cedar.preparsePolicySet(`bench${n}`, { staticPolicies: cedarText(n) });
    if (prepared.type !== 'success') throw new Error(JSON.stringify(prepared.errors));
    const entities = (resource: string): cedar.Entities => [
      { uid: { type: 'User', id: 'alice' }, attrs: {}, parents: [{ type: 'Role', id: 'r7' }] },
      { uid: { type: 'Role', id: 'r7' }, attrs: {}, parents: [] },
      { uid: { type: 'Resource', id: resource }, attrs: { path: resource }, parents: [] },
    ];
    const cedarSamples = time(Math.min(iterations, n >= 10_000 ? 300 : iterations), (k) => {
      const r = reqs[k % reqs.length]!;
      const answer = cedar.statefulIsAuthorized({
        principal: { type: 'User', id: 'alice' },
        action: { type: 'Action', id: r.action },
        resource: { type: 'Resource', id: r.resource },
        context: {},
        preparsedPolicySetId: `bench${n}`,
        entities: entities(r.resource),
      });
      if (answer.type !== 'success') throw new Error(JSON.stringify(answer.errors));
    });

    const enforcer = await newEnforcer(newModelFromString(casbinModel), new StringAdapter(casbinPolicies(n)));
    const casbinSamples: number[] = [];
    for (let k = 0; k < Math.min(iterations, n >= 10_000 ? 300 : iterations); k++) {
      const r = reqs[k % reqs.length]!;
      const started = performance.now();
      await enforcer.enforce('alice', r.resource, r.action);
      casbinSamples.push((performance.now() - started) * 1000);
    }

    const s = stats(ours);
    const c = stats(cedarSamples);
    const b = stats(casbinSamples);
    rows.push({
      policies: n,
      switchboard: s,
      cedar: c,
      casbin: b,
      speedupVsCedarP50: round(c.p50Us / s.p50Us, 1),
      speedupVsCasbinP50: round(b.p50Us / s.p50Us, 1),
    });
  }
  return { name: 'policy decision latency (µs) vs cedar-wasm and casbin', rows };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await policyBench();
  for (const r of result.rows) process.stdout.write(`${JSON.stringify(r)}\n`);
}

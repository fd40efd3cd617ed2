import { z } from 'zod';
import { authorize } from '../domain/policy/authorize.js';
import { policyRequestSchema } from '../domain/policy/schema.js';
import { createPolicy, createPolicyInput, deletePolicy, listPolicies, listPoliciesInput, policyView, updatePolicy, updatePolicyInput, type PolicyView } from '../domain/policy/store.js';
import { additive, defineTool, destructive, idempotentWrite, readOnly } from './tool.js';

const line = (p: PolicyView) =>
  `${p.name}: ${p.effect} ${p.principals.join(',')} → ${p.actions.join(',')} on ${p.resources.join(',')} in ${p.environments.join(',')}${p.conditions.length ? ` if ${p.conditions.length} condition(s)` : ''}${p.enabled ? '' : ' (disabled)'}`;
const policyResult = z.object({ policy: policyView });
const applied = z.object({ name: z.string(), effect: z.enum(['allow', 'deny']), notes: z.array(z.string()).optional() });

export const policyTools = [
  defineTool({
    name: 'policy_create',
    title: 'Create a policy',
    description:
      'Adds an allow or deny policy: principals (user:<id>, role:<name>, patterns, or *), actions (Switchboard tool names, or invoke for upstream calls), resources (intents or server names; ** for all), environments, and ABAC conditions that must all hold (operators eq, ne, in, not_in, gt, gte, lt, lte, contains, starts_with, matches, exists, cidr, before, after; a value may be { "ref": "<attribute>" }). Deny overrides allow; with no applicable allow the answer is deny. Takes effect in every Switchboard process within a second.',
    input: createPolicyInput,
    output: policyResult,
    annotations: additive,
    target: (a) => a.name,
    async run(args, ctx) {
      const policy = await createPolicy(ctx.app.deps, ctx.principal, args);
      return { data: { policy }, text: `Created ${line(policy)}` };
    },
  }),
  defineTool({
    name: 'policy_update',
    title: 'Update a policy',
    description: 'Changes the fields you pass on the named policy (effect, principals, actions, resources, environments, conditions, priority, enabled); the rest stay. Use enabled: false to switch a policy off without deleting it.',
    input: updatePolicyInput,
    output: policyResult,
    annotations: idempotentWrite,
    target: (a) => a.name,
    async run(args, ctx) {
      const policy = await updatePolicy(ctx.app.deps, ctx.principal, args);
      return { data: { policy }, text: `Updated ${line(policy)}` };
    },
  }),
  defineTool({
    name: 'policy_delete',
    title: 'Delete a policy',
    description: 'Deletes the named policy for good; calls it allowed are denied from then on unless another policy allows them. Returns the deleted policy.',
    input: z.object({ name: z.string().min(1).max(100) }),
    output: policyResult,
    annotations: destructive,
    target: (a) => a.name,
    async run(args, ctx) {
      const policy = await deletePolicy(ctx.app.deps, ctx.principal, args.name);
      return { data: { policy }, text: `Deleted ${line(policy)}` };
    },
  }),
  defineTool({
    name: 'policy_list',
    title: 'List policies',
    description: 'Lists policies, optionally only allows or denies, or only enabled ones. Paginated: pass nextCursor back as cursor.',
    input: listPoliciesInput,
    output: z.object({ policies: z.array(policyView), nextCursor: z.string().optional() }),
    annotations: readOnly,
    async run(args, ctx) {
      const { items, nextCursor } = await listPolicies(ctx.app.deps, args);
      return { data: { policies: items, ...(nextCursor ? { nextCursor } : {}) }, text: items.map(line).join('\n') || 'No policies.' };
    },
  }),
  defineTool({
    name: 'policy_evaluate',
    title: 'Evaluate a policy decision',
    description:
      'Answers whether a principal may do an action on a resource in an environment with a given context, without doing it: the decision, the reason, the deciding policies, and with explain: true why each near-miss policy (one naming the action) did not apply. Use it to test policies before relying on them.',
    input: policyRequestSchema.extend({ explain: z.boolean().default(false) }),
    output: z.object({
      decision: z.enum(['allow', 'deny']),
      reason: z.string(),
      deciding: z.array(applied),
      nearMisses: z.array(z.object({ name: z.string(), effect: z.enum(['allow', 'deny']), why: z.string() })).optional(),
    }),
    annotations: readOnly,
    target: (a) => a.resource,
    async run({ explain, ...request }, ctx) {
      const decision = await authorize(ctx.app.deps, request, explain);
      const misses = decision.nearMisses?.map((m) => `- ${m.name} (${m.effect}) did not apply: ${m.why}`) ?? [];
      return { data: decision, text: [`${decision.decision.toUpperCase()}: ${decision.reason}`, ...misses].join('\n') };
    },
  }),
];

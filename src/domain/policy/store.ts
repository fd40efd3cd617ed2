// Policies as stored rows: create, update, delete, list. Every change bumps the `policies` topic so
// each process recompiles its evaluator.
import { z } from 'zod';
import { audit } from '../audit.js';
import { bumpTopic } from '../change-feed.js';
import type { Deps } from '../deps.js';
import { Conflict, NotFound } from '../errors.js';
import { decodeCursor, page, pageInput } from '../pagination.js';
import type { Principal } from '../principal.js';
import { isUniqueViolation, type Policy as PolicyRow, type Tx } from '../../store/index.js';
import { policySchema, type Policy } from './schema.js';

const { shape } = policySchema;

export const createPolicyInput = policySchema;

// No defaults here: an update changes only the fields it names.
export const updatePolicyInput = z.object({
  name: shape.name.describe('The policy to change.'),
  description: shape.description,
  effect: shape.effect.optional(),
  principals: shape.principals.optional(),
  actions: shape.actions.optional(),
  resources: shape.resources.unwrap().optional(),
  environments: shape.environments.unwrap().optional(),
  conditions: shape.conditions.unwrap().optional(),
  priority: shape.priority.unwrap().optional(),
  enabled: shape.enabled.unwrap().optional(),
});

export const policyView = policySchema.extend({
  id: z.string(),
  source: z.string(),
  createdBy: z.string(),
  updatedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PolicyView = z.infer<typeof policyView>;

export function toPolicy(row: PolicyRow): Policy {
  return {
    name: row.name,
    ...(row.description ? { description: row.description } : {}),
    effect: row.effect as Policy['effect'],
    principals: row.principals as string[],
    actions: row.actions as string[],
    resources: row.resources as string[],
    environments: row.environments as string[],
    conditions: row.conditions as Policy['conditions'],
    priority: row.priority,
    enabled: row.enabled,
  };
}

function toView(row: PolicyRow): PolicyView {
  return { ...toPolicy(row), id: row.id, source: row.source, createdBy: row.createdBy, updatedBy: row.updatedBy, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

const columns = (p: Partial<Policy>) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Record<string, unknown>;

async function changed<T>(deps: Deps, work: (tx: Tx) => Promise<T>): Promise<T> {
  const result = await deps.db.$transaction(async (tx) => {
    const out = await work(tx);
    await bumpTopic(tx, 'policies');
    return out;
  });
  deps.feed.touch('policies');
  return result;
}

/** Inserts a policy inside a caller's transaction (policy_create, bootstrap, packs). */
export async function insertPolicy(tx: Tx, by: Principal, policy: Policy, origin: { source?: string; packId?: string } = {}): Promise<PolicyRow> {
  const row = await tx.policy.create({ data: { ...(columns(policy) as Policy), createdBy: by.id, updatedBy: by.id, source: origin.source ?? 'manual', packId: origin.packId ?? null } });
  await audit(tx, { principal: by.id, action: 'policy_create', entityType: 'policy', entityId: row.id, detail: { name: policy.name, effect: policy.effect } });
  return row;
}

export async function createPolicy(deps: Deps, by: Principal, policy: Policy): Promise<PolicyView> {
  try {
    return toView(await changed(deps, (tx) => insertPolicy(tx, by, policy)));
  } catch (error) {
    if (isUniqueViolation(error)) throw new Conflict(`A policy named ${policy.name} exists already. Choose another name, or change it with policy_update.`);
    throw error;
  }
}

export async function updatePolicy(deps: Deps, by: Principal, input: z.infer<typeof updatePolicyInput>): Promise<PolicyView> {
  const { name, ...patch } = input;
  return toView(
    await changed(deps, async (tx) => {
      const row = await tx.policy.findUnique({ where: { name } });
      if (!row) throw new NotFound(`No policy named ${name}. policy_list shows the policies.`);
      const updated = await tx.policy.update({ where: { name }, data: { ...columns(patch), updatedBy: by.id } });
      await audit(tx, { principal: by.id, action: 'policy_update', entityType: 'policy', entityId: row.id, detail: { changed: Object.keys(columns(patch)) } });
      return updated;
    }),
  );
}

export async function deletePolicy(deps: Deps, by: Principal, name: string): Promise<PolicyView> {
  return toView(
    await changed(deps, async (tx) => {
      const row = await tx.policy.findUnique({ where: { name } });
      if (!row) throw new NotFound(`No policy named ${name}. policy_list shows the policies.`);
      await tx.policy.delete({ where: { name } });
      await audit(tx, { principal: by.id, action: 'policy_delete', entityType: 'policy', entityId: row.id, detail: { name } });
      return row;
    }),
  );
}

export const listPoliciesInput = z.object({ effect: z.enum(['allow', 'deny']).optional(), enabled: z.boolean().optional(), ...pageInput });

export async function listPolicies(deps: Deps, input: z.infer<typeof listPoliciesInput>): Promise<{ items: PolicyView[]; nextCursor?: string }> {
  const cursor = decodeCursor(input.cursor);
  const rows = await deps.db.policy.findMany({
    where: { ...(input.effect ? { effect: input.effect } : {}), ...(input.enabled !== undefined ? { enabled: input.enabled } : {}) },
    orderBy: { id: 'asc' },
    take: input.limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  const { items, nextCursor } = page(rows, input.limit);
  return { items: items.map(toView), ...(nextCursor ? { nextCursor } : {}) };
}

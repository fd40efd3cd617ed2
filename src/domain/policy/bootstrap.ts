// The policy set a fresh database starts with: role admin may do everything; role reader may call
// the read-only tools. Written once: deleting these later is respected across restarts.
import { audit } from '../audit.js';
import { bumpTopic } from '../change-feed.js';
import type { Deps } from '../deps.js';
import { isUniqueViolation } from '../../store/index.js';
import type { Policy } from './schema.js';
import { insertPolicy } from './store.js';

const system = { id: 'system', roles: [], attributes: {} };

export function bootstrapPolicies(readOnlyActions: string[]): Policy[] {
  const base = { resources: ['**'], environments: ['*'], conditions: [], priority: 0, enabled: true };
  return [
    { ...base, name: 'bootstrap.admin-all', description: 'Role admin may call every tool and invoke every intent.', effect: 'allow', principals: ['role:admin'], actions: ['*'] },
    { ...base, name: 'bootstrap.reader-read-only', description: 'Role reader may call the read-only tools.', effect: 'allow', principals: ['role:reader'], actions: readOnlyActions },
  ];
}

// Looks for the one audit event that says so, rather than counting a table that only grows.
const bootstrapped = async (db: Pick<Deps['db'], '$queryRaw'>) => (await db.$queryRaw<unknown[]>`SELECT 1 FROM "AuditEvent" WHERE "action" = 'policy_bootstrap' LIMIT 1`).length > 0;

/** Installs the bootstrap set unless it was installed before; true when it did now. */
export async function ensureBootstrapPolicies(deps: Deps, readOnlyActions: string[]): Promise<boolean> {
  // Every start but the first ends here, without a transaction.
  if (await bootstrapped(deps.db)) return false;
  const done = await deps.db
    .$transaction(async (tx) => {
    if (await bootstrapped(tx)) return false;
    for (const policy of bootstrapPolicies(readOnlyActions)) await insertPolicy(tx, system, policy, { source: 'bootstrap' });
    await audit(tx, { principal: system.id, action: 'policy_bootstrap', entityType: 'policy', entityId: 'bootstrap' });
    await bumpTopic(tx, 'policies');
    return true;
  })
    // Another process bootstrapping at the same moment won the race.
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) return false;
      throw error;
    });
  if (done) deps.feed.touch('policies');
  return done;
}

// A pack writes servers, routes and policies; installing or removing one must not let a principal
// do what it could not do entry by entry (a pack_install grant is not a policy_create grant).
import type { Deps } from '../deps.js';
import { Denied } from '../errors.js';
import { authorize } from '../policy/authorize.js';
import type { Principal } from '../principal.js';
import type { PackManifest } from './schema.js';

/** enforce: false for the operator at the terminal (the CLI), who is trusted like `keys create`. */
export type Enforcement = { enforce: boolean; context?: Record<string, unknown> };

const actions = {
  install: { servers: 'registry_register', routes: 'route_create', policies: 'policy_create' },
  uninstall: { servers: 'registry_deregister', routes: 'route_delete', policies: 'policy_delete' },
} as const;

export async function authorizeEntries(
  deps: Deps,
  principal: Principal,
  entries: Pick<PackManifest, 'servers' | 'routes' | 'policies'>,
  kind: keyof typeof actions,
  enforcement: Enforcement,
): Promise<void> {
  if (!enforcement.enforce) return;
  const wanted = [
    ...entries.servers.map((s, i) => ({ where: `servers[${i}]`, action: actions[kind].servers, resource: s.name })),
    ...entries.routes.map((r, i) => ({ where: `routes[${i}]`, action: actions[kind].routes, resource: r.intentPattern })),
    ...entries.policies.map((p, i) => ({ where: `policies[${i}]`, action: actions[kind].policies, resource: p.name })),
  ];
  const problems: string[] = [];
  for (const w of wanted) {
    const decision = await authorize(deps, { principal, action: w.action, resource: w.resource, ...(enforcement.context ? { context: enforcement.context } : {}) });
    if (decision.decision === 'deny') problems.push(`- ${w.where}: ${w.action} on ${w.resource}: ${decision.reason}`);
  }
  if (problems.length > 0) {
    throw new Denied(`Nothing was ${kind}ed: the pack holds entries you may not ${kind === 'install' ? 'create' : 'remove'} yourself:\n${problems.join('\n')}\nAsk an administrator for policies that allow them.`);
  }
}

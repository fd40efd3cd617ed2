import { listPolicies } from '../domain/policy/store.js';
import type { ResourceDef } from './resource.js';

export const policyResources: ResourceDef[] = [
  {
    name: 'policies',
    title: 'Policies',
    description: 'Every policy (first 200): effect, principals, actions, resources, environments, conditions.',
    uri: 'switchboard://policies',
    match: (uri) => (uri === 'switchboard://policies' ? {} : undefined),
    read: async (_params, { app }) => (await listPolicies(app.deps, { limit: 200 })).items,
  },
];

import { listPolicies } from '../domain/policy/store.js';
import { fixedResource } from './resource.js';

export const policyResources = [
  fixedResource({
    name: 'policies',
    title: 'Policies',
    description: 'Every policy (first 200): effect, principals, actions, resources, environments, conditions.',
    uri: 'switchboard://policies',
    read: async (_params, { app }) => (await listPolicies(app.deps, { limit: 200 })).items,
  }),
];

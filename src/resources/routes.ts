import { listRoutes } from '../domain/routes/crud.js';
import { fixedResource } from './resource.js';

export const routeResources = [
  fixedResource({
    name: 'routes',
    title: 'Routes',
    description: 'Every route (first 200): intent pattern, environment, server, version range, tool, priority, weight.',
    uri: 'switchboard://routes',
    read: async (_params, { app }) => (await listRoutes(app.deps, { limit: 200 })).items,
  }),
];

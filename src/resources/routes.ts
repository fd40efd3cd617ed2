import { listRoutes } from '../domain/routes/crud.js';
import type { ResourceDef } from './resource.js';

export const routeResources: ResourceDef[] = [
  {
    name: 'routes',
    title: 'Routes',
    description: 'Every route (first 200): intent pattern, environment, server, version range, tool, priority, weight.',
    uri: 'switchboard://routes',
    match: (uri) => (uri === 'switchboard://routes' ? {} : undefined),
    read: async (_params, { app }) => (await listRoutes(app.deps, { limit: 200 })).items,
  },
];

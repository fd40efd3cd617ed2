import { getTrace, traceScope } from '../domain/traces/query.js';
import { templateMatcher, type ResourceDef } from './resource.js';

export const traceResources: ResourceDef[] = [
  {
    name: 'trace',
    title: 'A trace',
    description: 'One recorded call by id or W3C trace id, payloads redacted. Your own calls, or anyone’s with trace_read_all.',
    uriTemplate: 'switchboard://traces/{id}',
    match: templateMatcher('switchboard://traces/{id}'),
    read: async (params, { app, principal }) => getTrace(app.deps, await traceScope(app.deps, principal), params.id!),
  },
];

import { getJob } from '../domain/jobs/read.js';
import { jobScope } from '../domain/jobs/scope.js';
import { templateMatcher, type ResourceDef, type ResourceContext } from './resource.js';

// The same scope as job_get: someone else's job is "not found", to reading and subscribing alike.
const readJob = async (id: string, { app, principal }: ResourceContext) => getJob(app.deps, await jobScope(app.deps, principal, 'job_read_all'), id);

export const jobResources: ResourceDef[] = [
  {
    name: 'job',
    title: 'A job',
    description:
      'One job as job_get returns it: status, progress, attempts, result or error. Subscribable: resources/subscribe sends notifications/resources/updated when its progress or status changes. Your own jobs, or anyone’s with job_read_all.',
    uriTemplate: 'switchboard://jobs/{id}',
    match: templateMatcher('switchboard://jobs/{id}'),
    read: async (params, ctx) => readJob(params.id!, ctx),
    subscribe: async (params, ctx, onChange) => {
      await readJob(params.id!, ctx);
      return ctx.app.jobWatch.watch(params.id!, onChange);
    },
  },
];

// job_get and job_list, within the caller's scope (its own jobs, or everyone's with job_read_all).
import type { Deps } from '../deps.js';
import { decodeCursor, page } from '../pagination.js';
import { toJobView, type JobView, type ListJobsInput } from './schema.js';
import { findJob, type JobScope } from './scope.js';

export async function getJob(deps: Deps, scope: JobScope, id: string): Promise<JobView> {
  return toJobView(await findJob(deps, scope, id));
}

/** Newest first. */
export async function listJobs(deps: Deps, scope: JobScope, input: ListJobsInput): Promise<{ items: JobView[]; nextCursor?: string }> {
  if (!scope.all && input.owner && input.owner !== scope.self) return { items: [] };
  const owner = scope.all ? input.owner : scope.self;
  const cursor = decodeCursor(input.cursor);
  const rows = await deps.db.job.findMany({
    where: { ...(owner ? { owner } : {}), ...(input.status ? { status: input.status } : {}), ...(input.intent ? { intent: input.intent } : {}) },
    orderBy: { id: 'desc' },
    take: input.limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  const { items, nextCursor } = page(rows, input.limit);
  return { items: items.map(toJobView), ...(nextCursor ? { nextCursor } : {}) };
}

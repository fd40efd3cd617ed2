// Whose jobs a principal may see and change. A principal sees and changes its own jobs; seeing
// everyone's takes the action job_read_all, changing (cancel, update) anyone's job_update_any.
// Role admin has both through `*`.
import type { Deps } from '../deps.js';
import { NotFound } from '../errors.js';
import { authorize } from '../policy/authorize.js';
import type { Principal } from '../principal.js';
import type { Job } from '../../store/index.js';

export type JobScope = { all: boolean; self: string };

export async function jobScope(deps: Deps, principal: Principal, action: 'job_read_all' | 'job_update_any'): Promise<JobScope> {
  const decision = await authorize(deps, { principal, action, resource: '**' });
  return { all: decision.decision === 'allow', self: principal.id };
}

/** The job, if the scope covers it. Someone else's job is "not found", never "forbidden": its existence is not the caller's business. */
export async function findJob(deps: Deps, scope: JobScope, id: string): Promise<Job> {
  const row = await deps.db.job.findUnique({ where: { id } });
  if (!row || (!scope.all && row.owner !== scope.self)) throw new NotFound(`No job ${id} that you can see. job_list shows your jobs.`);
  return row;
}

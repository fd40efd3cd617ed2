// job_update: progress and a final result or error reported from outside Switchboard's workers
// (a job executed elsewhere). The owner may update its job; anyone else needs job_update_any.
import { Prisma } from '../../store/index.js';
import type { Deps } from '../deps.js';
import { Conflict, Invalid } from '../errors.js';
import { toJobView, type JobView, type UpdateJobInput } from './schema.js';
import { findJob, type JobScope } from './scope.js';

export async function updateJob(deps: Deps, scope: JobScope, input: UpdateJobInput): Promise<JobView> {
  if (input.status === 'succeeded' && input.error !== undefined) throw new Invalid('A succeeded job takes a result, not an error; send status failed with the error instead.');
  if (input.status === 'failed' && input.error === undefined) throw new Invalid('status failed needs an error saying what went wrong.');
  if (input.status === undefined && (input.result !== undefined || input.error !== undefined)) throw new Invalid('result and error finish a job: send them with status succeeded or failed.');
  if (input.status === undefined && input.progress === undefined && input.message === undefined) throw new Invalid('Nothing to update: send progress and/or message, or status with result or error.');
  const job = await findJob(deps, scope, input.id);
  const now = deps.clock();
  const finishing = input.status !== undefined;
  const data: Prisma.JobUpdateManyMutationInput = {
    ...(input.progress !== undefined ? { progress: input.progress } : {}),
    ...(input.message !== undefined ? { progressMessage: input.message } : {}),
    ...(finishing
      ? {
          status: input.status,
          finishedAt: now,
          webhookNextAt: now,
          leaseExpiresAt: null,
          ...(input.status === 'succeeded' ? { progress: 100, result: input.result === undefined ? Prisma.DbNull : (input.result as Prisma.InputJsonValue) } : { error: input.error! }),
        }
      : {}),
  };
  // Only an unfinished job changes; a worker that was running it sees the change and stops.
  const { count } = await deps.db.job.updateMany({ where: { id: job.id, status: { in: ['queued', 'running'] } }, data });
  if (count === 0) {
    const current = await findJob(deps, scope, input.id);
    throw new Conflict(`Job ${input.id} has already finished (${current.status}); a finished job does not change. Submit a new job instead.`);
  }
  if (finishing && job.webhookUrl !== null) deps.webhooks.finished([job.id]);
  return toJobView(await findJob(deps, scope, input.id));
}

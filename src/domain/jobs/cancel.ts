// job_cancel: a queued job is cancelled at once; a running one is flagged, and the worker running
// it (in whichever process) aborts the upstream call and marks it cancelled.
import type { Deps } from '../deps.js';
import { Conflict } from '../errors.js';
import { toJobView, type JobView } from './schema.js';
import { findJob, type JobScope } from './scope.js';

export async function cancelJob(deps: Deps, scope: JobScope, id: string): Promise<JobView> {
  // A queued job a worker claims between the read and the write is running by the next round.
  for (let round = 0; round < 3; round++) {
    const job = await findJob(deps, scope, id);
    const now = deps.clock();
    if (job.status === 'queued') {
      const { count } = await deps.db.job.updateMany({ where: { id, status: 'queued' }, data: { status: 'cancelled', cancelRequested: true, finishedAt: now, webhookNextAt: now } });
      if (count > 0) {
        if (job.webhookUrl !== null) deps.webhooks.finished([id]);
        break;
      }
    } else if (job.status === 'running') {
      const { count } = await deps.db.job.updateMany({ where: { id, status: 'running' }, data: { cancelRequested: true } });
      if (count > 0) break;
    } else {
      throw new Conflict(`Job ${id} has already finished (${job.status}${job.finishedAt ? ` at ${job.finishedAt.toISOString()}` : ''}); there is nothing to cancel. Submit it again if you want it run.`);
    }
  }
  return toJobView(await findJob(deps, scope, id));
}

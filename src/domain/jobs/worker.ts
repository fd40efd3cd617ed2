// The job worker pool of one process: claims due jobs (up to `concurrency` at a time) with a
// lease, runs each through invoke, heartbeats the leases, aborts jobs that are cancelled or taken
// away, and puts jobs that lost their worker back in the queue. Every process runs one; the
// leases make each job run in exactly one of them.
import type { Logger } from 'pino';
import type { Deps } from '../deps.js';
import { claimJobs, jobsToStop, reclaimExpired, releaseLeases, renewLeases } from './claim.js';
import { runJob } from './run.js';

export interface JobWorkerOptions {
  /** Jobs run at once by this process; 0 runs none. */
  concurrency: number;
  /** This process's id in the leases. */
  owner: string;
  log: Logger;
  /** How often to look for due jobs when idle. */
  pollMs: number;
  leaseMs: number;
  /** How often running jobs are checked for a cancel (default 500 ms). */
  cancelCheckMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** How long stop() waits for running jobs before releasing their leases (default 5 s). */
  drainMs?: number;
}

export interface JobWorkers {
  /** Stops claiming, waits (up to drainMs) for running jobs, then puts the unfinished ones back in the queue. */
  stop(): Promise<void>;
}

export function startJobWorkers(deps: Deps, options: JobWorkerOptions): JobWorkers {
  if (options.concurrency <= 0) return { stop: async () => {} };
  const { owner, log, leaseMs } = options;
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let stopped = false;
  let loop: Promise<void> | undefined;
  let lastSweep = 0;

  const claimRound = async () => {
    // Leases lapse on the scale of leaseMs; looking for them a few times per lease is enough.
    if (Date.now() - lastSweep >= Math.min(leaseMs / 3, 1000)) {
      lastSweep = Date.now();
      const reclaimed = await reclaimExpired(deps);
      if (reclaimed > 0) log.warn({ reclaimed }, 'jobs whose worker stopped answering were put back in the queue');
    }
    // Keep claiming while full batches come back: a backlog drains without waiting for the timer.
    while (!stopped) {
      const free = options.concurrency - running.size;
      if (free <= 0) return;
      const jobs = await claimJobs(deps, owner, free, leaseMs);
      for (const job of jobs) {
        const controller = new AbortController();
        const done = runJob(deps, job, { owner, signal: controller.signal, retryBaseMs: options.retryBaseMs ?? 1000, retryMaxMs: options.retryMaxMs ?? 300_000 })
          .catch((error: unknown) => log.error({ err: error, job: job.id }, 'job run failed; its lease will expire and the job be retried'))
          .finally(() => {
            running.delete(job.id);
            tick(); // a slot is free
          });
        running.set(job.id, { controller, done });
      }
      if (jobs.length < free) return;
    }
  };

  const tick = () => {
    if (loop || stopped) return;
    loop = claimRound()
      .catch((error: unknown) => log.error({ err: error }, 'job claim round failed; the next round retries'))
      .finally(() => (loop = undefined));
  };

  const checkCancels = async () => {
    for (const { id, reason } of await jobsToStop(deps, owner, [...running.keys()])) running.get(id)?.controller.abort(reason);
  };
  const guarded = (what: string, f: () => Promise<void>) => () => void f().catch((error: unknown) => log.warn({ err: error }, `job ${what} failed`));

  const timers = [
    setInterval(tick, options.pollMs),
    setInterval(guarded('cancel check', checkCancels), options.cancelCheckMs ?? 500),
    setInterval(guarded('lease renewal', () => renewLeases(deps, owner, [...running.keys()], leaseMs)), Math.max(50, Math.floor(leaseMs / 3))),
  ];
  for (const t of timers) t.unref();
  tick();

  return {
    async stop() {
      stopped = true;
      clearInterval(timers[0]);
      await loop;
      const drain = new Promise<void>((resolve) => setTimeout(resolve, options.drainMs ?? 5000).unref());
      await Promise.race([Promise.all([...running.values()].map((r) => r.done)), drain]);
      for (const t of timers) clearInterval(t);
      await releaseLeases(deps, owner, [...running.keys()]).catch((error: unknown) => log.warn({ err: error }, 'releasing job leases failed; they expire on their own'));
    },
  };
}

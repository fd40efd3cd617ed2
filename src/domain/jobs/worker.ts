// The job worker pool of one process: claims due jobs with a lease — every slot free at that
// moment in one statement, never more — runs each (through invoke, see run.ts), heartbeats the
// leases, aborts jobs that are cancelled or taken away, and puts jobs that lost their worker back
// in the queue. Every process runs one; the leases make each job run in exactly one of them. A job
// that succeeds hands its slot on in its success write (succeedAndClaim); a slot freed otherwise,
// or wake() (job_submit), starts a claim at once; the poll timer catches the rest (jobs submitted
// elsewhere, retries falling due).
import type { Logger } from 'pino';
import type { Job, Prisma } from '../../store/index.js';
import type { Deps } from '../deps.js';
import { claimJobs, jobsToStop, reclaimExpired, releaseLeases, renewLeases, succeedAndClaim, succeedJob } from './claim.js';
import type { RunOptions } from './run.js';

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
  /** The first look for due jobs (and expired leases) waits this long (default 0). */
  startDelayMs?: number;
  /** Runs one attempt of a claimed job and records its outcome: runJob with the app's deps. */
  run(job: Job, options: RunOptions): Promise<void>;
}

export interface JobWorkers {
  /** Looks for due jobs now (a job was just submitted), rather than at the next poll. */
  wake(): void;
  /** Stops claiming, waits (up to drainMs) for running jobs, then puts the unfinished ones back in the queue. */
  stop(): Promise<void>;
}

export function startJobWorkers(deps: Pick<Deps, 'db' | 'clock' | 'provider' | 'webhooks'>, options: JobWorkerOptions): JobWorkers {
  if (options.concurrency <= 0) return { wake() {}, stop: async () => {} };
  const { owner, log, leaseMs } = options;
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let stopped = false;
  /** Slots that claims under way are filling: a slot is free when it is neither running nor being claimed. */
  let claiming = 0;
  const claims = new Set<Promise<void>>();
  let sweep: Promise<void> | undefined;
  let lastSweep = 0;

  /** Claims under way (and successes handing their slot on), which stop() waits for. */
  const track = <T>(work: Promise<T>): Promise<T> => {
    const settled: Promise<void> = work.then(
      () => {},
      () => {},
    );
    claims.add(settled);
    void settled.finally(() => claims.delete(settled));
    return work;
  };

  // A success hands the job's slot on at once: the same statement claims due jobs for it and for
  // every other slot free now (never more), and the job leaves the pool as they join it.
  const succeed = (job: Job, result: Prisma.InputJsonValue): Promise<boolean> => {
    if (stopped) return succeedJob(deps, job, owner, result);
    const others = Math.max(0, options.concurrency - running.size - claiming);
    claiming += others;
    const handoff = async () => {
      let outcome: Awaited<ReturnType<typeof succeedAndClaim>>;
      try {
        outcome = await succeedAndClaim(deps, job, owner, result, others + 1, leaseMs);
      } finally {
        claiming -= others;
      }
      running.delete(job.id);
      for (const next of outcome.claimed) start(next);
      if (outcome.claimed.length === others + 1) tick();
      return outcome.succeeded;
    };
    return track(handoff());
  };

  const start = (job: Job) => {
    const controller = new AbortController();
    const retry = { retryBaseMs: options.retryBaseMs ?? 1000, retryMaxMs: options.retryMaxMs ?? 300_000 };
    const done = options
      .run(job, { owner, signal: controller.signal, ...retry, succeed: (result) => succeed(job, result) })
      .catch((error: unknown) => log.error({ err: error, job: job.id }, 'job run failed; its lease will expire and the job be retried'))
      .finally(() => {
        running.delete(job.id);
        tick(); // a slot is free
      });
    running.set(job.id, { controller, done });
  };

  // One claim takes every slot free at that moment; a slot that frees up while it is under way
  // starts its own claim rather than waiting for it, so claims overlap the way completions do.
  const claim = async (slots: number) => {
    let jobs: Job[] = [];
    try {
      jobs = await claimJobs(deps, owner, slots, leaseMs);
    } finally {
      claiming -= slots;
    }
    for (const job of jobs) start(job);
    // A full batch: more may be due (a backlog drains without waiting for the timer).
    if (jobs.length === slots) tick();
  };

  const tick = () => {
    if (stopped) return;
    // Leases lapse on the scale of leaseMs; looking for them a few times per lease is enough.
    if (!sweep && Date.now() - lastSweep >= Math.min(leaseMs / 3, 1000)) {
      lastSweep = Date.now();
      sweep = reclaimExpired(deps)
        .then((reclaimed) => {
          if (reclaimed > 0) log.warn({ reclaimed }, 'jobs whose worker stopped answering were put back in the queue');
        })
        .catch((error: unknown) => log.warn({ err: error }, 'job lease sweep failed; the next round retries'))
        .finally(() => (sweep = undefined));
    }
    const free = options.concurrency - running.size - claiming;
    if (free <= 0) return;
    claiming += free;
    void track(claim(free).catch((error: unknown) => log.error({ err: error }, 'job claim failed; the next round retries')));
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
  // Not unref'd: a process whose only work is jobs already queued stays up for its first claim.
  const first = setTimeout(tick, options.startDelayMs ?? 0);

  return {
    wake: tick,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timers[0]);
      await Promise.all([...claims, sweep]);
      const drain = new Promise<void>((resolve) => setTimeout(resolve, options.drainMs ?? 5000).unref());
      await Promise.race([Promise.all([...running.values()].map((r) => r.done)), drain]);
      for (const t of timers) clearInterval(t);
      await releaseLeases(deps, owner, [...running.keys()]).catch((error: unknown) => log.warn({ err: error }, 'releasing job leases failed; they expire on their own'));
    },
  };
}

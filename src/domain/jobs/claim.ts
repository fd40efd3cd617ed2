// Claiming jobs with a lease, so that of several Switchboard processes on one database exactly one
// runs each job: one conditional UPDATE takes due queued jobs (PostgreSQL skips rows another
// process is claiming at that moment; SQLite serialises writers, so one statement is atomic) and
// returns them whole, so a claim is one round trip. While a backlog lasts, a worker whose job
// succeeded records that and claims the next jobs for its free slots in one go (succeedAndClaim):
// on PostgreSQL one round trip and one commit per job.
import { Prisma, type Job } from '../../store/index.js';
import type { Deps } from '../deps.js';

type ClaimDeps = Pick<Deps, 'db' | 'clock' | 'provider'>;

export async function claimJobs(deps: ClaimDeps, owner: string, limit: number, leaseMs: number): Promise<Job[]> {
  if (limit <= 0) return [];
  const claimed = await deps.db.$queryRaw<Job[]>(claimStatement(deps, owner, limit, leaseMs, deps.clock()));
  return byRunAfter(claimed);
}

/**
 * `limit` due jobs, taken under this owner's lease. The ids are picked once, in a CTE: as
 * `"id" IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`, PostgreSQL may rescan the subquery per
 * outer row, each rescan skipping the rows this statement already took — so a claim of 1 took
 * every due job. RETURNING *: Prisma types raw columns by their declared type on both providers
 * (DateTime to Date, Json parsed, Boolean), so the rows equal what job.findMany reads
 * (tests/jobs.test.ts checks).
 */
function claimStatement(deps: ClaimDeps, owner: string, limit: number, leaseMs: number, now: Date): Prisma.Sql {
  const lock = deps.provider === 'postgresql' ? Prisma.sql`FOR UPDATE SKIP LOCKED` : Prisma.empty;
  return Prisma.sql`WITH "picked" AS (
      SELECT "id" FROM "Job" WHERE "status" = 'queued' AND "cancelRequested" = FALSE AND "runAfter" <= ${now}
      ORDER BY "runAfter" LIMIT ${limit} ${lock})
    UPDATE "Job"
    SET "status" = 'running', "leaseOwner" = ${owner}, "leaseExpiresAt" = ${new Date(now.getTime() + leaseMs)}, "attempts" = "attempts" + 1,
        "startedAt" = COALESCE("startedAt", ${now}), "updatedAt" = ${now}
    WHERE "status" = 'queued' AND "id" IN (SELECT "id" FROM "picked")
    RETURNING *`;
}

const byRunAfter = (jobs: Job[]) => jobs.sort((a, b) => a.runAfter.getTime() - b.runAfter.getTime());

/**
 * An attempt's success, if this owner still holds the job. finishedAt and webhookNextAt are set
 * together, so the job's webhook is due the moment it ends, whoever delivers it.
 */
function succeedStatement(deps: ClaimDeps, id: string, owner: string, result: Prisma.InputJsonValue, now: Date): Prisma.Sql {
  const json = JSON.stringify(result);
  const value = deps.provider === 'postgresql' ? Prisma.sql`CAST(${json} AS jsonb)` : Prisma.sql`${json}`;
  return Prisma.sql`UPDATE "Job"
    SET "status" = 'succeeded', "progress" = 100, "result" = ${value}, "error" = NULL, "finishedAt" = ${now}, "webhookNextAt" = ${now}, "leaseExpiresAt" = NULL, "updatedAt" = ${now}
    WHERE "id" = ${id} AND "leaseOwner" = ${owner} AND "status" = 'running'`;
}

type Succeeding = Pick<Job, 'id' | 'webhookUrl'>;

/** Records an attempt's success (one statement); false when this owner no longer held the job. */
export async function succeedJob(deps: ClaimDeps & Pick<Deps, 'webhooks'>, job: Succeeding, owner: string, result: Prisma.InputJsonValue): Promise<boolean> {
  const count = await deps.db.$executeRaw(succeedStatement(deps, job.id, owner, result, deps.clock()));
  if (count > 0 && job.webhookUrl !== null) deps.webhooks.finished([job.id]);
  return count > 0;
}

/**
 * succeedJob, and in the same statement (PostgreSQL; right after it on SQLite) claimJobs for
 * `limit` slots: the one the job frees and any others free now.
 */
export async function succeedAndClaim(
  deps: ClaimDeps & Pick<Deps, 'webhooks'>,
  job: Succeeding,
  owner: string,
  result: Prisma.InputJsonValue,
  limit: number,
  leaseMs: number,
): Promise<{ succeeded: boolean; claimed: Job[] }> {
  const now = deps.clock();
  const succeed = succeedStatement(deps, job.id, owner, result, now);
  const claim = claimStatement(deps, owner, limit, leaseMs, now);
  let succeeded: boolean;
  let claimed: Job[];
  if (deps.provider === 'postgresql') {
    // Data-modifying CTEs: both updates commit together; the LEFT JOIN yields one row even when nothing was claimed.
    const rows = await deps.db.$queryRaw<(Job & { succeededCount: number })[]>`WITH "done" AS (${succeed} RETURNING "id"),
      "claimed" AS (${claim})
      SELECT (SELECT count(*) FROM "done")::int AS "succeededCount", "claimed".* FROM (SELECT 1) AS "one" LEFT JOIN "claimed" ON TRUE`;
    succeeded = (rows[0]?.succeededCount ?? 0) > 0;
    claimed = rows.filter((r) => r.id !== null).map(({ succeededCount: _, ...j }) => j);
  } else {
    // SQLite has no data-modifying CTEs; a transaction around the two costs more than the commit it saves.
    succeeded = (await deps.db.$executeRaw(succeed)) > 0;
    claimed = await deps.db.$queryRaw<Job[]>(claim);
  }
  if (succeeded && job.webhookUrl !== null) deps.webhooks.finished([job.id]);
  return { succeeded, claimed: byRunAfter(claimed) };
}

/**
 * Running jobs whose lease ran out (their process died or hung) go back to the queue, or fail when
 * the lost attempt was their last, or end cancelled when a cancel was asked for. Returns how many.
 */
export async function reclaimExpired(deps: Pick<Deps, 'db' | 'clock' | 'webhooks'>): Promise<number> {
  const now = deps.clock();
  const expired = { status: 'running', leaseExpiresAt: { lt: now } };
  const over = { status: 'cancelled', finishedAt: now, webhookNextAt: now, leaseExpiresAt: null };
  // Three conditional updates, each atomic per row; a row matches at most one of them.
  // …AndReturn: the webhooks of the rows this call finished are sent now, not at the next poll.
  const cancelled = await deps.db.job.updateManyAndReturn({ where: { ...expired, cancelRequested: true }, data: over, select: { id: true, webhookUrl: true } });
  const failed = await deps.db.job.updateManyAndReturn({
    select: { id: true, webhookUrl: true },
    where: { ...expired, attempts: { gte: deps.db.job.fields.maxAttempts } },
    data: { ...over, status: 'failed', error: 'The worker running this job stopped answering (its lease expired) and no attempts are left.' },
  });
  const requeued = await deps.db.job.updateMany({ where: expired, data: { status: 'queued', runAfter: now, leaseExpiresAt: null } });
  deps.webhooks.finished(withWebhook([...cancelled, ...failed]));
  return cancelled.length + failed.length + requeued.count;
}

const withWebhook = (rows: { id: string; webhookUrl: string | null }[]) => rows.filter((r) => r.webhookUrl !== null).map((r) => r.id);

/** Extends this process's leases on `ids`; the ones no longer running under this owner are skipped. */
export async function renewLeases(deps: Pick<Deps, 'db' | 'clock'>, owner: string, ids: string[], leaseMs: number): Promise<void> {
  if (ids.length === 0) return;
  await deps.db.job.updateMany({ where: { id: { in: ids }, leaseOwner: owner, status: 'running' }, data: { leaseExpiresAt: new Date(deps.clock().getTime() + leaseMs) } });
}

/**
 * On shutdown: jobs this process still runs go back to the queue at once, without counting the
 * interrupted attempt (it did not fail), or end cancelled when a cancel was asked for.
 */
export async function releaseLeases(deps: Pick<Deps, 'db' | 'clock' | 'webhooks'>, owner: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const now = deps.clock();
  const mine = { id: { in: ids }, leaseOwner: owner, status: 'running' };
  const cancelled = await deps.db.job.updateManyAndReturn({
    where: { ...mine, cancelRequested: true },
    data: { status: 'cancelled', finishedAt: now, webhookNextAt: now, leaseExpiresAt: null },
    select: { id: true, webhookUrl: true },
  });
  deps.webhooks.finished(withWebhook(cancelled));
  await deps.db.job.updateMany({ where: mine, data: { status: 'queued', attempts: { decrement: 1 }, runAfter: now, leaseExpiresAt: null } });
}

/** The jobs among `ids` this process must stop: cancel requested, or no longer running under its lease. */
export async function jobsToStop(deps: Pick<Deps, 'db'>, owner: string, ids: string[]): Promise<{ id: string; reason: 'cancelled' | 'lost' }[]> {
  if (ids.length === 0) return [];
  const rows = await deps.db.job.findMany({
    where: { id: { in: ids }, OR: [{ cancelRequested: true }, { status: { not: 'running' } }, { leaseOwner: { not: owner } }] },
    select: { id: true, status: true, leaseOwner: true, cancelRequested: true },
  });
  return rows.map((r) => ({ id: r.id, reason: r.status === 'running' && r.leaseOwner === owner && r.cancelRequested ? 'cancelled' : 'lost' }));
}

/** Jobs finished longer ago than the retention period are deleted. Returns how many. */
export async function purgeJobs(deps: Pick<Deps, 'db' | 'clock'>, olderThanDays: number): Promise<number> {
  const cutoff = new Date(deps.clock().getTime() - olderThanDays * 86_400_000);
  const { count } = await deps.db.job.deleteMany({ where: { status: { in: ['succeeded', 'failed', 'cancelled'] }, finishedAt: { lt: cutoff } } });
  return count;
}

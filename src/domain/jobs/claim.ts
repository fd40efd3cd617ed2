// Claiming jobs with a lease, so that of several Switchboard processes on one database exactly one
// runs each job: one conditional UPDATE takes due queued jobs (PostgreSQL skips rows another
// process is claiming at that moment; SQLite serialises writers, so one statement is atomic).
import { Prisma, type Job } from '../../store/index.js';
import type { Deps } from '../deps.js';

export async function claimJobs(deps: Pick<Deps, 'db' | 'clock' | 'provider'>, owner: string, limit: number, leaseMs: number): Promise<Job[]> {
  if (limit <= 0) return [];
  const now = deps.clock();
  const expires = new Date(now.getTime() + leaseMs);
  const lock = deps.provider === 'postgresql' ? Prisma.sql`FOR UPDATE SKIP LOCKED` : Prisma.empty;
  // The ids are picked once, in a CTE: as `"id" IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`,
  // PostgreSQL may rescan the subquery per outer row, each rescan skipping the rows this statement
  // already took — so a claim of 1 took every due job.
  const claimed = await deps.db.$queryRaw<{ id: string }[]>`WITH "picked" AS (
      SELECT "id" FROM "Job" WHERE "status" = 'queued' AND "cancelRequested" = FALSE AND "runAfter" <= ${now}
      ORDER BY "runAfter" LIMIT ${limit} ${lock})
    UPDATE "Job"
    SET "status" = 'running', "leaseOwner" = ${owner}, "leaseExpiresAt" = ${expires}, "attempts" = "attempts" + 1,
        "startedAt" = COALESCE("startedAt", ${now}), "updatedAt" = ${now}
    WHERE "status" = 'queued' AND "id" IN (SELECT "id" FROM "picked")
    RETURNING "id"`;
  if (claimed.length === 0) return [];
  // Read back through Prisma: raw DateTime and Json columns come back differently per provider.
  return deps.db.job.findMany({ where: { id: { in: claimed.map((r) => r.id) } }, orderBy: { runAfter: 'asc' } });
}

/**
 * Running jobs whose lease ran out (their process died or hung) go back to the queue, or fail when
 * the lost attempt was their last, or end cancelled when a cancel was asked for. Returns how many.
 */
export async function reclaimExpired(deps: Pick<Deps, 'db' | 'clock' | 'webhooks'>): Promise<number> {
  const now = deps.clock();
  const expired = { status: 'running', leaseExpiresAt: { lt: now } };
  const over = { status: 'cancelled', finishedAt: now, leaseExpiresAt: null };
  // Three conditional updates, each atomic per row; a row matches at most one of them.
  // …AndReturn: the rows this call finished get their webhook from this process.
  const cancelled = await deps.db.job.updateManyAndReturn({ where: { ...expired, cancelRequested: true }, data: over, select: { id: true } });
  const failed = await deps.db.job.updateManyAndReturn({
    select: { id: true },
    where: { ...expired, attempts: { gte: deps.db.job.fields.maxAttempts } },
    data: { ...over, status: 'failed', error: 'The worker running this job stopped answering (its lease expired) and no attempts are left.' },
  });
  const requeued = await deps.db.job.updateMany({ where: expired, data: { status: 'queued', runAfter: now, leaseExpiresAt: null } });
  deps.webhooks.finished([...cancelled, ...failed].map((r) => r.id));
  return cancelled.length + failed.length + requeued.count;
}

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
  const cancelled = await deps.db.job.updateManyAndReturn({ where: { ...mine, cancelRequested: true }, data: { status: 'cancelled', finishedAt: now, leaseExpiresAt: null }, select: { id: true } });
  deps.webhooks.finished(cancelled.map((r) => r.id));
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

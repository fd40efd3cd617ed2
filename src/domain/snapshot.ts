// Operational figures read at scrape time (/metrics): the job queue and upstream health. Two
// aggregate queries, each answered from an index or a small table, whatever the traffic.
import type { Deps } from './deps.js';

export const activeJobStatuses = ['queued', 'running'] as const;
export const healthValues = ['healthy', 'degraded', 'unhealthy', 'unknown'] as const;

export interface OperationalSnapshot {
  /** Queued and running jobs, with the age of the oldest: queued since it became due, running since it started. */
  jobs: { status: (typeof activeJobStatuses)[number]; count: number; oldestAgeSeconds: number }[];
  /** Active, not deleted server versions by health. */
  servers: { health: string; count: number }[];
}

export async function operationalSnapshot(deps: Pick<Deps, 'db' | 'clock'>): Promise<OperationalSnapshot> {
  const now = deps.clock().getTime();
  const [jobs, servers] = await Promise.all([
    deps.db.job.groupBy({
      by: ['status'],
      where: { status: { in: [...activeJobStatuses] } },
      _count: { _all: true },
      _min: { runAfter: true, startedAt: true },
    }),
    deps.db.serverVersion.groupBy({ by: ['health'], where: { deletedAt: null, status: 'active' }, _count: { _all: true } }),
  ]);
  const age = (since: Date | null | undefined) => (since ? Math.max(0, (now - since.getTime()) / 1000) : 0);
  return {
    jobs: activeJobStatuses.map((status) => {
      const row = jobs.find((j) => j.status === status);
      const since = status === 'queued' ? row?._min.runAfter : row?._min.startedAt;
      return { status, count: row?._count._all ?? 0, oldestAgeSeconds: age(since) };
    }),
    servers: servers.map((s) => ({ health: s.health, count: s._count._all })),
  };
}

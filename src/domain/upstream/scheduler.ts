// Periodic health checks. Every process runs the scheduler; a lease per server in the database
// makes exactly one of them run each due check, so replicas share the work instead of repeating it.
import type { Logger } from 'pino';
import type { Deps } from '../deps.js';
import { NotFound } from '../errors.js';
import { checkServer, type HealthCheckResult } from './health.js';
import { acquireLease } from './lease.js';
import { CHECK_CONCURRENCY, forEachLimited } from './limited.js';

export interface ScheduleOptions {
  intervalMs: number;
  /** This process's id in the lease table. */
  owner: string;
}

/** Active versions not checked within intervalMs, each checked by whoever takes its lease first. */
export async function runDueChecks(deps: Deps, options: ScheduleOptions): Promise<HealthCheckResult[]> {
  const due = await deps.db.serverVersion.findMany({
    where: { deletedAt: null, status: { not: 'disabled' }, OR: [{ lastCheckedAt: null }, { lastCheckedAt: { lt: dueBefore(deps, options) } }] },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  const results: HealthCheckResult[] = [];
  await forEachLimited(due, CHECK_CONCURRENCY, async ({ id }) => {
    if (!(await acquireLease(deps, `health:${id}`, options.owner, options.intervalMs))) return;
    // The list above may be stale by now: another process may have checked it and let its lease lapse.
    const still = await deps.db.serverVersion.count({ where: { id, OR: [{ lastCheckedAt: null }, { lastCheckedAt: { lt: dueBefore(deps, options) } }] } });
    if (still === 0) return;
    try {
      results.push(await checkServer(deps, id));
    } catch (error) {
      if (!(error instanceof NotFound)) throw error; // removed since it was listed: nothing to check
    }
  });
  return results;
}

const dueBefore = (deps: Pick<Deps, 'clock'>, options: ScheduleOptions) => new Date(deps.clock().getTime() - options.intervalMs);

export interface HealthScheduler {
  /** Stops the timer and waits for the checks in flight. */
  stop(): Promise<void>;
}

/**
 * Looks for due checks every quarter interval (so a server is checked at most a quarter interval
 * late), never starting a round while the previous one runs. intervalMs 0 turns it off.
 */
export function startHealthScheduler(deps: Deps, options: ScheduleOptions & { log: Logger }): HealthScheduler {
  if (options.intervalMs <= 0) return { stop: async () => {} };
  const { log } = options;
  let round: Promise<void> | undefined;
  let stopped = false;

  const tick = () => {
    if (round || stopped) return;
    round = runDueChecks(deps, options)
      .then((results) => {
        // Transitions are news; a server that stays down is logged at debug, not every round.
        for (const r of results) {
          const fields = { server: r.name, version: r.version, health: r.health, previousHealth: r.previousHealth, error: r.error };
          if (r.health === r.previousHealth) {
            if (!r.ok) log.debug(fields, 'server health check failed');
          } else if (r.ok) log.info(fields, 'server health recovered');
          else log.warn(fields, 'server health check failing');
        }
      })
      .catch((error: unknown) => log.error({ err: error }, 'health check round failed; the next round retries'))
      .finally(() => (round = undefined));
  };
  const timer = setInterval(tick, Math.min(options.intervalMs, Math.max(250, options.intervalMs / 4)));
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await round;
    },
  };
}

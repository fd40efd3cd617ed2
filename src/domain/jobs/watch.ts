// Change notices for jobs, for resource subscriptions (switchboard://jobs/{id}). A job changes in
// whichever process runs it (or in the one serving job_update/job_cancel), so in-process events
// would miss most changes: instead one poller per process reads the watched jobs' fingerprints in
// a single query every few hundred milliseconds, and only while something is watched. That works
// across processes and replicas at the cost of a notice up to one interval late.
import type { Deps } from '../deps.js';

export interface JobWatcher {
  /**
   * Calls `onChange` whenever job `id` changes (progress, message, status, cancel) or disappears.
   * The baseline is the job as it is when watch resolves: read it after watching, not before.
   * Returns the function that stops watching.
   */
  watch(id: string, onChange: () => void): Promise<() => void>;
  /** How many (job, listener) pairs are watched: 0 means the poller is idle. */
  watching(): number;
  stop(): void;
}

const GONE = 'gone';

export function createJobWatcher(deps: Pick<Deps, 'db' | 'log'>, options: { intervalMs: number }): JobWatcher {
  const listeners = new Map<string, Set<() => void>>();
  const seen = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;

  const fingerprints = async (ids: string[]): Promise<Map<string, string>> => {
    const rows = await deps.db.job.findMany({
      where: { id: { in: ids } },
      select: { id: true, updatedAt: true, status: true, progress: true, progressMessage: true, cancelRequested: true },
    });
    // updatedAt alone could miss two writes within one millisecond; the fields a reader follows are cheap to add.
    return new Map(rows.map((r) => [r.id, JSON.stringify([r.updatedAt.getTime(), r.status, r.progress, r.progressMessage, r.cancelRequested])]));
  };

  const poll = async () => {
    if (polling) return; // a slow database must not stack queries up
    polling = true;
    try {
      const ids = [...listeners.keys()];
      if (ids.length === 0) return;
      const now = await fingerprints(ids);
      for (const id of ids) {
        const print = now.get(id) ?? GONE;
        if (seen.get(id) === print) continue;
        seen.set(id, print);
        for (const listener of listeners.get(id) ?? []) listener();
      }
    } catch (error) {
      deps.log.warn({ err: error }, 'job watch poll failed; the next round retries');
    } finally {
      polling = false;
    }
  };

  const unwatch = (id: string, listener: () => void) => {
    const set = listeners.get(id);
    if (!set?.delete(listener) || set.size > 0) return;
    listeners.delete(id);
    seen.delete(id);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  return {
    async watch(id, onChange) {
      if (!seen.has(id)) seen.set(id, (await fingerprints([id])).get(id) ?? GONE);
      const listener = () => onChange();
      let set = listeners.get(id);
      if (!set) listeners.set(id, (set = new Set()));
      set.add(listener);
      if (!timer) {
        timer = setInterval(() => void poll(), options.intervalMs);
        timer.unref();
      }
      return () => unwatch(id, listener);
    },
    watching: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      listeners.clear();
      seen.clear();
    },
  };
}

// Caps the calls in flight to one upstream. Waiters are served first come, first served; one that
// gives up (deadline or abort) leaves the queue without holding up those behind it.
import { within, type Budget } from './budget.js';

export type Release = () => void;

export interface Limiter {
  /** Resolves with a release function once a slot is free; rejects as `within` does. */
  acquire(budget: Budget, onTimeout: () => Error): Promise<Release>;
}

export function createLimiter(max: number): Limiter {
  let active = 0;
  const queue: Array<() => void> = [];

  const releaser = (): Release => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      active--;
      const next = queue.shift();
      if (next) {
        active++;
        next();
      }
    };
  };

  return {
    async acquire(budget, onTimeout) {
      if (active < max && queue.length === 0) {
        active++;
        return releaser();
      }
      let granted = false;
      let grant = (): void => {};
      const turn = new Promise<void>((resolve) => {
        grant = () => {
          granted = true;
          resolve();
        };
      });
      queue.push(grant);
      try {
        await within(turn, budget, onTimeout);
        return releaser();
      } catch (error) {
        // Given up: leave the queue, or hand on a slot that was granted in the same tick.
        if (granted) releaser()();
        else queue.splice(queue.indexOf(grant), 1);
        throw error;
      }
    },
  };
}

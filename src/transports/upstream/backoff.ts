// Exponential backoff per endpoint after a crash or a failed connect: initialMs, doubling, capped
// at maxMs, and forgotten after the next successful request.

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 500, maxMs: 30_000 };

export interface Backoff {
  /** Records a failure; returns how long to wait before the next attempt. */
  fail(cause: string): number;
  /** Milliseconds left to wait; 0 when a new attempt may be made. */
  retryAfterMs(): number;
  /** What the last failure was, for the message of a call refused while waiting. */
  readonly cause: string;
  reset(): void;
}

export function createBackoff(policy: BackoffPolicy): Backoff {
  let failures = 0;
  let until = 0;
  let cause = '';
  return {
    fail(why) {
      const delay = Math.min(policy.initialMs * 2 ** Math.min(failures, 30), policy.maxMs);
      failures++;
      until = Date.now() + delay;
      cause = why;
      return delay;
    },
    retryAfterMs: () => Math.max(0, until - Date.now()),
    get cause() {
      return cause;
    },
    reset() {
      failures = 0;
      until = 0;
    },
  };
}

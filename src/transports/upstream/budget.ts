// A caller's budget: an absolute deadline and an optional abort signal. Waiting on shared work (a
// connect, a free call slot) must honour it without cancelling that work for everyone else.

export interface Budget {
  deadline: number;
  signal?: AbortSignal;
}

export const remainingMs = (budget: Budget): number => Math.max(0, budget.deadline - Date.now());

/**
 * Settles with `work`, or rejects with onTimeout() at the deadline, or with the signal's reason on
 * abort. `work` runs on either way; its late rejection is handled here, never left unhandled.
 */
export function within<T>(work: Promise<T>, budget: Budget, onTimeout: () => Error): Promise<T> {
  const { signal } = budget;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      finish();
    };
    const onAbort = (): void => settle(() => reject(signal?.reason));
    const timer = setTimeout(() => settle(() => reject(onTimeout())), remainingMs(budget));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    work.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}

/** Resolves after `ms`, or at once when `work` settles first; never rejects. */
export function settledOrAfter(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    work.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    );
  });
}

/**
 * A signal that follows `parent` until unlink(). The SDK never removes the listener it adds to a
 * request's signal, so it is given one of these, which lives only as long as the request.
 */
export function linkedSignal(parent?: AbortSignal): { signal: AbortSignal; unlink(): void } {
  const controller = new AbortController();
  const forward = (): void => controller.abort(parent?.reason);
  if (parent?.aborted) forward();
  else parent?.addEventListener('abort', forward, { once: true });
  return { signal: controller.signal, unlink: () => parent?.removeEventListener('abort', forward) };
}

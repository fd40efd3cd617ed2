/** How many servers one process checks at the same time: enough to hide a slow one, few enough not to flood the host with stdio children. */
export const CHECK_CONCURRENCY = 4;

/**
 * Runs `fn` over `items`, at most `limit` at a time, and resolves once every started call has
 * settled: the first error is rethrown then, never while other calls are still in flight. An
 * aborted signal starts nothing new.
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure && !signal?.aborted) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}

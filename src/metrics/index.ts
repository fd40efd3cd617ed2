// Prometheus metrics of one App. prom-client (and the OpenTelemetry API it requires) takes tens of
// milliseconds to load, so it loads with the first call counted or the first scrape, not at start:
// what is counted before it is ready is applied, in order, as soon as it is.
import type { TraceRecord } from '../domain/traces/record.js';
import type { OperationalSnapshot } from '../domain/snapshot.js';

export interface Metrics {
  /** Counts one call (a tools/call or a job attempt) from its trace record. */
  observe(record: TraceRecord): void;
  /** Counts an HTTP request refused with 429. */
  httpRateLimited(): void;
  /** The exposition text, with the scrape-time figures read now. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

export interface MetricSources {
  /** The tool names that may appear as a label value; anything else is counted as `other`. */
  tools: string[];
  snapshot(): Promise<OperationalSnapshot>;
  traceBuffer(): { pending: number; capacity: number };
}

export function createMetrics(sources: MetricSources): Metrics {
  let ready: Metrics | undefined;
  let loading: Promise<Metrics> | undefined;
  const waiting: ((metrics: Metrics) => void)[] = [];
  const load = () =>
    (loading ??= import('./prometheus.js').then(({ createPrometheusMetrics }) => {
      const metrics = createPrometheusMetrics(sources);
      for (const apply of waiting.splice(0)) {
        try {
          apply(metrics);
        } catch {
          // Counting is best effort (observedTraces only logs a failure); it must not fail scrapes.
        }
      }
      ready = metrics;
      return metrics;
    }));
  const count = (apply: (metrics: Metrics) => void) => {
    if (ready) return apply(ready);
    waiting.push(apply);
    // A failed load is reported by the next scrape, which awaits the same promise.
    load().catch(() => {});
  };
  return {
    observe: (record) => count((m) => m.observe(record)),
    httpRateLimited: () => count((m) => m.httpRateLimited()),
    scrape: async () => (await load()).scrape(),
  };
}

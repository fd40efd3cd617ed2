// The connection manager behind the domain's Upstream port: one MCP client connection per
// endpoint (server version), reused, capped in concurrent calls, closed when idle, backed off after
// failures, and every child process group stopped on close().
import type { Logger } from 'pino';
import type { Upstream, UpstreamEndpoint } from '../../domain/upstream/port.js';
import { defaultBackoff, type BackoffPolicy } from './backoff.js';
import { EndpointState } from './endpoint-state.js';
import { defaultBaseEnvironment } from './environment.js';
import { closedError } from './errors.js';
import { callTool, probe } from './requests.js';

export interface UpstreamPoolOptions {
  log: Logger;
  /** Calls in flight per endpoint; further callers wait their turn (FIFO) within their own timeout. */
  maxConcurrency: number;
  /** A connection unused this long is closed (a stdio server is stopped). Probes do not count as use. */
  idleMs: number;
  /** After a crash or failed connect (default 500 ms, doubling, up to 30 s; reset by a success). */
  backoff?: BackoffPolicy;
  /** Bound on one connect + initialize, shared by every caller waiting on it (default 30 s). */
  connectTimeoutMs?: number;
  /** The environment stdio servers start from, before their own env (default: an allow-list, see environment.ts). */
  baseEnv?: Record<string, string>;
}

export function createUpstreamPool(options: UpstreamPoolOptions): Upstream {
  const { log } = options;
  const shutdown = new AbortController();
  const states = new Map<string, EndpointState>();
  const closing = new Set<Promise<void>>();
  let closed: Promise<void> | undefined;

  const track = (promise: Promise<void>): void => {
    const tracked = promise
      .catch((error: unknown) => log.warn({ err: error }, 'closing an upstream connection failed'))
      .finally(() => closing.delete(tracked));
    closing.add(tracked);
  };

  const stateFor = (endpoint: UpstreamEndpoint): EndpointState => {
    if (shutdown.signal.aborted) throw closedError(endpoint);
    let state = states.get(endpoint.id);
    if (!state) {
      state = new EndpointState(endpoint, {
        log,
        baseEnv: options.baseEnv ?? defaultBaseEnvironment(),
        connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
        idleMs: options.idleMs,
        maxConcurrency: options.maxConcurrency,
        backoff: options.backoff ?? defaultBackoff,
        shutdown: shutdown.signal,
        track,
      });
      states.set(endpoint.id, state);
    }
    return state;
  };

  return {
    callTool: async (endpoint, tool, args, callOptions) => callTool(stateFor(endpoint), tool, args, callOptions),
    probe: async (endpoint, timeoutMs) => probe(stateFor(endpoint), timeoutMs),
    close() {
      closed ??= (async () => {
        shutdown.abort(new Error('the upstream pool is closed'));
        await Promise.allSettled([...states.values()].map((state) => state.shutdown()));
        while (closing.size > 0) await Promise.allSettled([...closing]);
        log.debug('upstream pool closed');
      })();
      return closed;
    },
  };
}

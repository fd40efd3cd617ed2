// Everything the pool keeps per endpoint: the one shared connection (or the connect under way),
// the call-slot limiter, the backoff after failures, and the idle timer that closes it.
import { McpError, ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { DomainError } from '../../domain/errors.js';
import type { UpstreamEndpoint } from '../../domain/upstream/port.js';
import { createBackoff, type Backoff, type BackoffPolicy } from './backoff.js';
import type { Connection } from './connection.js';
import { backoffError, closedError, connectError, crashedError, describeError, rejectedError, serverLabel, timeoutError } from './errors.js';
import { createLimiter, type Limiter } from './limiter.js';

export interface StateOptions {
  log: Logger;
  baseEnv: Record<string, string>;
  connectTimeoutMs: number;
  idleMs: number;
  maxConcurrency: number;
  backoff: BackoffPolicy;
  shutdown: AbortSignal;
  /** Keeps a closing connection in view, so the pool's close() can wait for it. */
  track(closing: Promise<void>): void;
}

export class EndpointState {
  readonly limiter: Limiter;
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private current?: Promise<Connection>;
  private established?: Connection;
  private active = 0;
  private lastUsed = 0;
  private idleTimer?: NodeJS.Timeout;
  /** Why each lost connection was lost, for the calls that were in flight on it. */
  private readonly causes = new WeakMap<Connection, string>();

  constructor(
    readonly endpoint: UpstreamEndpoint,
    private readonly options: StateOptions,
  ) {
    this.limiter = createLimiter(options.maxConcurrency);
    this.backoff = createBackoff(options.backoff);
    this.log = options.log.child({ upstream: serverLabel(endpoint), endpointId: endpoint.id });
  }

  /** Fails fast when the pool is closed or the endpoint is backing off without a connection. */
  assertAvailable(): void {
    if (this.options.shutdown.aborted) throw closedError(this.endpoint);
    const wait = this.backoff.retryAfterMs();
    if (!this.current && wait > 0) throw backoffError(this.endpoint, wait, this.backoff.cause);
  }

  /** The shared connection; concurrent first callers share one connect. */
  connection(): Promise<Connection> {
    try {
      this.assertAvailable();
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.current) return this.current;
    const { shutdown } = this.options;
    const opening = this.open().then(
      (connection) => {
        this.established = connection;
        this.lastUsed = Date.now();
        if (this.active === 0) this.armIdle();
        this.log.info('upstream connected');
        return connection;
      },
      (error: unknown) => {
        if (this.current === opening) this.current = undefined;
        if (shutdown.aborted) throw closedError(this.endpoint);
        const cause = error instanceof Error ? error.message : String(error);
        const retryAfterMs = this.backoff.fail(cause);
        this.log.warn({ cause, retryAfterMs }, 'upstream connect failed');
        throw connectError(this.endpoint, cause, retryAfterMs);
      },
    );
    opening.catch(() => undefined); // callers see the rejection; there may be none left waiting
    this.current = opening;
    return opening;
  }

  /** Loads the MCP client and its transports on the first connect, not at start, and connects. */
  private async open(): Promise<Connection> {
    const { openConnection } = await import('./connection.js');
    const { baseEnv, connectTimeoutMs: timeoutMs, shutdown } = this.options;
    if (shutdown.aborted) throw closedError(this.endpoint);
    return openConnection(this.endpoint, { log: this.log, baseEnv, timeoutMs, shutdown, onLost: (c, cause) => this.lose(c, cause) });
  }

  /** Marks a use of the connection: it is not reaped while held. Calls (touch) keep it alive; probes do not. */
  hold(touch: boolean): () => void {
    this.active++;
    clearTimeout(this.idleTimer);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      if (touch) this.lastUsed = Date.now();
      if (this.active === 0) this.armIdle();
    };
  }

  succeeded(): void {
    this.backoff.reset();
  }

  /** The error to throw for a request on `connection` that failed with `error`. */
  failure(error: unknown, connection: Connection, doing: string, timeoutMs: number): unknown {
    if (error instanceof DomainError) return error;
    if (this.options.shutdown.aborted) return closedError(this.endpoint);
    if (connection.gone || !(error instanceof McpError)) {
      const cause = this.causes.get(connection) ?? (connection.diagnostics() ? `the server ${connection.diagnostics()}` : describeError(this.endpoint, error));
      return crashedError(this.endpoint, doing, cause, this.lose(connection, cause));
    }
    if (error.code === ErrorCode.RequestTimeout) return timeoutError(this.endpoint, `finish ${doing}`, timeoutMs, true);
    return rejectedError(this.endpoint, doing, error.message, error.code);
  }

  /** Drops a connection that failed under us and starts backing off; returns the wait. */
  lose(connection: Connection, cause: string): number {
    if (this.established !== connection) return this.backoff.retryAfterMs(); // already handled
    this.established = undefined;
    this.current = undefined;
    this.causes.set(connection, cause);
    const retryAfterMs = this.backoff.fail(cause);
    this.log.warn({ cause, retryAfterMs }, 'upstream connection lost');
    this.options.track(connection.close());
    return retryAfterMs;
  }

  /** Closes the connection for good (pool shutdown); waits for a connect under way to give up. */
  async shutdown(): Promise<void> {
    clearTimeout(this.idleTimer);
    const pending = this.current;
    this.current = undefined;
    this.established = undefined;
    const connection = await pending?.catch(() => undefined);
    await connection?.close();
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    // Node fires a timer longer than 2^31-1 ms at once; reap() re-arms until the time has come.
    const delay = Math.min(Math.max(0, this.lastUsed + this.options.idleMs - Date.now()), 2 ** 31 - 1);
    this.idleTimer = setTimeout(() => this.reap(), delay);
    this.idleTimer.unref();
  }

  private reap(): void {
    const connection = this.established;
    if (this.active > 0 || !connection) return;
    if (Date.now() - this.lastUsed < this.options.idleMs) return this.armIdle();
    this.established = undefined;
    this.current = undefined;
    this.log.debug('closing idle upstream connection');
    this.options.track(connection.close());
  }
}

// Stateful Streamable HTTP sessions: one MCP server, transport and event store per session, bound
// to the principal that opened it, closed after config.sessionIdleMs without an open request, and
// all closed on shutdown. It also counts calls in progress, so shutdown can wait for them.
import { randomUUID } from 'node:crypto';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isJSONRPCRequest, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { Response } from 'express';
import type { App } from '../app.js';
import type { Principal } from '../domain/principal.js';
import { BoundedEventStore } from './event-store.js';
import { createMcpServer } from './server.js';
import type { Session } from './session.js';

/** Work in progress, so shutdown can wait for it to finish. */
export class InFlight {
  private count = 0;
  private waiters: (() => void)[] = [];

  get size(): number {
    return this.count;
  }

  /** Counts one piece of work; the returned function marks it done (extra calls are ignored). */
  begin(): () => void {
    this.count++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.count === 0) for (const wake of this.waiters.splice(0)) wake();
    };
  }

  /** True once nothing is in progress; false if the deadline comes first. */
  idle(deadline: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

interface HttpSession {
  transport: StreamableHTTPServerTransport;
  server: Server;
  principal: Principal;
  /** Calls received and not yet answered, each holding a count in InFlight. */
  calls: Map<RequestId, () => void>;
  openRequests: number;
  idleTimer?: NodeJS.Timeout;
}

export class SessionRegistry {
  private readonly sessions = new Map<string, HttpSession>();

  constructor(
    private readonly app: App,
    private readonly work: InFlight,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /**
   * The transport of session `id` for this request, or undefined when there is no such session
   * or another caller opened it (answered like "never existed", so ids cannot be probed). The session
   * counts as active until the response closes, so an open SSE stream keeps it alive.
   */
  attach(id: string, principal: Principal, res: Response): StreamableHTTPServerTransport | undefined {
    const session = this.sessions.get(id);
    if (!session || !sameCaller(session.principal, principal)) return undefined;
    this.hold(id, session, res);
    return session.transport;
  }

  /** A server and transport for an initialize request; registered once the SDK assigns an id. */
  async open(principal: Principal, context: Record<string, unknown>, res: Response): Promise<StreamableHTTPServerTransport> {
    const calls = new Map<RequestId, () => void>();
    const session: Session = { principal, transport: 'http', context };
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: new BoundedEventStore(this.app.config.eventStoreSize, this.app.config.eventStoreBytes),
      onsessioninitialized: (id) => {
        session.sessionId = id;
        const entry: HttpSession = { transport, server, principal, calls, openRequests: 0 };
        this.sessions.set(id, entry);
        this.hold(id, entry, res);
        this.app.log.info({ sessionId: id, principal: principal.id }, 'HTTP session opened');
      },
      onsessionclosed: (id) => this.close(id, 'terminated by the client'),
    });
    this.countCalls(transport, calls);
    // Mostly client mistakes the SDK already answered (406, 409, bad session); kept for debugging.
    transport.onerror = (error) => this.app.log.debug({ err: error, sessionId: transport.sessionId }, 'MCP transport error');
    const server = createMcpServer(this.app, session);
    await server.connect(transport);
    // A failed initialize (wrong Accept header, bad JSON-RPC) never gets an id: nothing to keep.
    res.once('close', () => void (transport.sessionId === undefined && server.close().catch(() => {})));
    return transport;
  }

  async close(id: string, reason: string): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    clearTimeout(session.idleTimer);
    // Closing aborts the handlers still running; their answers can no longer be delivered.
    for (const done of session.calls.values()) done();
    session.calls.clear();
    await session.server.close().catch((error: unknown) => this.app.log.warn({ err: error, sessionId: id }, 'closing an HTTP session failed'));
    this.app.log.info({ sessionId: id, reason }, 'HTTP session closed');
  }

  async closeAll(reason: string): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id, reason)));
  }

  /** Counts each request from arrival to its response: Protocol.connect chains our onmessage. */
  private countCalls(transport: StreamableHTTPServerTransport, calls: Map<RequestId, () => void>): void {
    transport.onmessage = (message) => {
      if (!isJSONRPCRequest(message)) return;
      calls.get(message.id)?.();
      calls.set(message.id, this.work.begin());
    };
    const send = transport.send.bind(transport);
    transport.send = async (message, options) => {
      try {
        await send(message, options);
      } finally {
        // A response (its shape is the SDK's own doing; a full schema parse per message costs more than the check).
        if (('result' in message || 'error' in message) && 'id' in message && message.id !== undefined) {
          calls.get(message.id)?.();
          calls.delete(message.id);
        }
      }
    };
  }

  /** Marks the session busy until `res` closes; idle time starts when its last request ends. */
  private hold(id: string, session: HttpSession, res: Response): void {
    session.openRequests++;
    clearTimeout(session.idleTimer);
    res.once('close', () => {
      if (--session.openRequests > 0 || !this.sessions.has(id)) return;
      session.idleTimer = setTimeout(() => void this.close(id, 'idle'), this.app.config.sessionIdleMs).unref();
    });
  }
}

/** The session runs with the roles it was opened with, so only the same id with the same roles may use it. */
function sameCaller(a: Principal, b: Principal): boolean {
  const roles = (p: Principal) => JSON.stringify([...p.roles].sort());
  return a.id === b.id && roles(a) === roles(b);
}

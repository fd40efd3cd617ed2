// Stateful Streamable HTTP sessions: one MCP server and transport per session, bound to the
// principal that opened it, closed when idle, and all closed on shutdown.
import { randomUUID } from 'node:crypto';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { App } from '../app.js';
import type { Principal } from '../domain/principal.js';
import { BoundedEventStore } from './event-store.js';
import { createMcpServer } from './server.js';
import type { Session } from './session.js';

export interface HttpSession {
  transport: StreamableHTTPServerTransport;
  server: Server;
  principal: Principal;
  lastSeen: number;
}

export class SessionRegistry {
  private readonly sessions = new Map<string, HttpSession>();
  private readonly reaper: NodeJS.Timeout;

  constructor(private readonly app: App) {
    const idle = app.config.sessionIdleMs;
    this.reaper = setInterval(() => {
      const cutoff = Date.now() - idle;
      for (const [id, s] of this.sessions) if (s.lastSeen < cutoff) void this.close(id);
    }, Math.min(idle, 60_000));
    this.reaper.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The session, if it exists and belongs to this principal (anyone else is told it does not exist). */
  find(id: string, principal: Principal): HttpSession | undefined {
    const session = this.sessions.get(id);
    if (!session || session.principal.id !== principal.id) return undefined;
    session.lastSeen = Date.now();
    return session;
  }

  /** A transport and server for a new session; registered once initialize succeeds. */
  async open(principal: Principal, context: Record<string, unknown>): Promise<StreamableHTTPServerTransport> {
    const session: Session = { principal, transport: 'http', context };
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      eventStore: new BoundedEventStore(this.app.config.eventStoreSize),
      onsessioninitialized: (id) => {
        session.sessionId = id;
        this.sessions.set(id, { transport, server, principal, lastSeen: Date.now() });
        this.app.log.info({ sessionId: id, principal: principal.id }, 'session opened');
      },
      onsessionclosed: (id) => void this.close(id),
    });
    const server = createMcpServer(this.app, session);
    await server.connect(transport);
    return transport;
  }

  async close(id: string): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    await session.server.close().catch((error: unknown) => this.app.log.warn({ err: error, sessionId: id }, 'closing session failed'));
    this.app.log.info({ sessionId: id }, 'session closed');
  }

  async closeAll(): Promise<void> {
    clearInterval(this.reaper);
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }
}

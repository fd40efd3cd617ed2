import type { Principal } from '../domain/principal.js';
import type { TransportKind } from '../tools/tool.js';

/** Who one MCP session belongs to and how it arrived. */
export interface Session {
  principal: Principal;
  transport: TransportKind;
  sessionId?: string;
  /** Request facts policies may test as context.* (e.g. ip). */
  context?: Record<string, unknown>;
  /** Stateless HTTP: the server lives for one request, so nothing that needs a later message (subscriptions) is offered. */
  stateless?: boolean;
}

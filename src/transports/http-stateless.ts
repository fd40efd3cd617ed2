// Stateless Streamable HTTP (SWITCHBOARD_HTTP_STATELESS): every POST /mcp is served by its own MCP
// server and transport, bound to the request's principal, and nothing outlives the response — so
// replicas behind a load balancer need no sticky sessions. What only a session can do is not
// offered: GET notification streams, DELETE, resources/subscribe. Everything else that lasts
// (tasks, jobs, keys, rate limits, the registry) lives in the shared database, so any replica
// answers for it; a call's own progress still streams on its POST response.
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Request, Response } from 'express';
import type { App } from '../app.js';
import type { Principal } from '../domain/principal.js';
import { jsonRpcError } from './http-guards.js';
import { createMcpServer } from './server.js';

export async function handleStateless(app: App, principal: Principal, req: Request, res: Response): Promise<void> {
  if (req.method !== 'POST') {
    const message = 'Method not allowed: this Switchboard runs stateless (SWITCHBOARD_HTTP_STATELESS=true), so /mcp takes POST only; there is no session to stream from or end.';
    return jsonRpcError(res, 405, -32000, message, { Allow: 'POST' });
  }
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  const server = createMcpServer(app, { principal, transport: 'http', context: { ip: req.ip }, stateless: true });
  res.once('close', () => void server.close().catch((error: unknown) => app.log.debug({ err: error }, 'closing a stateless MCP server failed')));
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
}

// Streamable HTTP at /mcp (MCP 2025-11-25): authenticated, Origin- and Host-checked, body-limited,
// one session per client with resumable streams, health endpoints, and a graceful close.
import type { AddressInfo } from 'node:net';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import express, { type Request, type Response } from 'express';
import type { App } from '../app.js';
import type { Principal } from '../domain/principal.js';
import { createAuthenticator } from './auth.js';
import { bodyErrors, hostGuard, jsonRpcError, originGuard } from './http-guards.js';
import { SessionRegistry } from './http-sessions.js';

export interface HttpServer {
  url: string;
  close(): Promise<void>;
}

export async function startHttpServer(app: App, options: { host?: string; port?: number } = {}): Promise<HttpServer> {
  const host = options.host ?? app.config.host;
  const sessions = new SessionRegistry(app);
  const web = express();
  let ready = true;
  let inFlight = 0;
  let baseUrl = '';
  const startedAt = Date.now();
  web.disable('x-powered-by');
  web.use(hostGuard(host, app.config.allowedHosts));

  web.get('/healthz', async (_req, res) => {
    const db = await app.store.health();
    res.status(db.ok ? 200 : 503).json({ status: db.ok ? 'ok' : 'unavailable', db, sessions: sessions.size, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
  });
  web.get('/readyz', (_req, res) => {
    res.status(ready ? 200 : 503).json({ ready });
  });

  const auth = createAuthenticator(app, `http://${host}:${options.port ?? app.config.port}`);
  if (auth.resourceMetadata) {
    const { path, body } = auth.resourceMetadata;
    web.get(path, (_req, res) => void res.json(body));
  }

  web.use('/mcp', originGuard(app.config.allowedOrigins, () => baseUrl), express.json({ limit: app.config.bodyLimit }), bodyErrors(app.config.bodyLimit));
  web.all('/mcp', async (req: Request, res: Response) => {
    if (!ready) return jsonRpcError(res, 503, -32000, 'Switchboard is shutting down; retry against another instance or in a moment.');
    const result = await auth.authenticate(req.headers.authorization);
    if ('error' in result) return jsonRpcError(res, 401, -32001, `Unauthorized: ${result.error}. Send Authorization: Bearer <API key>.`, { 'WWW-Authenticate': auth.challenge(result.error) });
    // Calls in progress are POSTs; a GET is a standing notification stream and never "finishes".
    const counted = req.method === 'POST';
    if (counted) inFlight++;
    res.once('close', () => counted && inFlight--);
    try {
      await route(req, res, result.principal);
    } catch (error) {
      app.log.error({ err: error }, 'HTTP request failed');
      if (!res.headersSent) jsonRpcError(res, 500, -32603, 'Internal error; the server log has details.');
    }
  });

  async function route(req: Request, res: Response, principal: Principal): Promise<void> {
    const id = req.headers['mcp-session-id'];
    if (typeof id === 'string') {
      const session = sessions.find(id, principal);
      if (!session) return jsonRpcError(res, 404, -32001, 'Session not found: it expired, was closed, or never existed. Initialize a new session.');
      return session.transport.handleRequest(req, res, req.body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(req.body)) {
      return jsonRpcError(res, 400, -32000, 'Bad request: without an Mcp-Session-Id header, only an initialize request is accepted.');
    }
    const transport = await sessions.open(principal, { ip: req.ip, transport: 'http' });
    await transport.handleRequest(req, res, req.body);
  }

  const server = web.listen(options.port ?? app.config.port, host);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: `${baseUrl}/mcp`,
    async close() {
      ready = false;
      server.close();
      const deadline = Date.now() + app.config.shutdownTimeoutMs;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      await sessions.closeAll();
      server.closeAllConnections();
    },
  };
}

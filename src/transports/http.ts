// Streamable HTTP at /mcp (MCP 2025-11-25): bearer-authenticated, Host- and Origin-checked,
// body-limited, rate-limited per principal, one session per client with resumable streams;
// /healthz, /readyz and Prometheus /metrics; and a close() that lets calls in progress finish
// before it lets go of sessions and connections.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isInitializeRequest, isJSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { App } from '../app.js';
import type { Principal } from '../domain/principal.js';
import { createHttpRateCounter, type HttpRateCounter } from '../domain/ratelimit/http-counter.js';
import { createAuthenticator, type Authenticator } from './auth.js';
import { bodyErrors, hostGuard, jsonRpcError, originGuard, rateLimitGuard } from './http-guards.js';
import { InFlight, SessionRegistry } from './http-sessions.js';
import { handleStateless } from './http-stateless.js';

export interface HttpServer {
  /** Where MCP clients connect: `http://<host>:<port>/mcp`. */
  url: string;
  /**
   * Graceful shutdown: stops taking new work, waits up to config.shutdownTimeoutMs for requests
   * and calls in progress, then closes every session and connection. The app stays open.
   */
  close(): Promise<void>;
}

export async function startHttpServer(app: App, options: { host?: string; port?: number } = {}): Promise<HttpServer> {
  const host = options.host ?? app.config.host;
  const server = createServer();
  // Idle keep-alive connections outlive the client's (undici: 4 s) and a load balancer's (often
  // 60 s) own idle timeout, so the client side always closes first: with Node's 5 s a busy client
  // could send a request on a socket the server was closing at that moment, and fail it.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? app.config.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const work = new InFlight();
  const sessions = new SessionRegistry(app, work);
  const authenticator = createAuthenticator(app, origin);
  const requestCounter = createHttpRateCounter(app.deps, app.deps.settings.rateLimits.http);
  const state = { ready: true, startedAt: Date.now() };
  server.on('request', routes(app, { host, origin, work, sessions, authenticator, requestCounter, state }));
  server.on('error', (error) => app.log.error({ err: error }, 'HTTP server error'));

  let closing: Promise<void> | undefined;
  async function shutdown(): Promise<void> {
    state.ready = false;
    app.log.info({ inFlight: work.size, sessions: sessions.size }, 'HTTP server draining');
    const drained = await work.idle(Date.now() + app.config.shutdownTimeoutMs);
    if (!drained) app.log.warn({ inFlight: work.size, timeoutMs: app.config.shutdownTimeoutMs }, 'shutdown deadline reached with work in progress; closing anyway');
    await sessions.closeAll('server shutting down');
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Nothing is in progress any more (or the deadline passed): idle keep-alives and the
      // sockets of closed SSE streams have no reason to linger.
      server.closeAllConnections();
    });
    await requestCounter.close();
    app.log.info('HTTP server closed');
  }

  return { url: `${origin}/mcp`, close: () => (closing ??= shutdown()) };
}

interface Parts {
  host: string;
  origin: string;
  work: InFlight;
  sessions: SessionRegistry;
  authenticator: Authenticator;
  requestCounter: HttpRateCounter;
  state: { ready: boolean; startedAt: number };
}

function routes(app: App, { host, origin, work, sessions, authenticator, requestCounter, state }: Parts): express.Express {
  const { config } = app;
  const web = express();
  web.disable('x-powered-by');
  // Probes come from orchestrators under whatever Host they use, so only /mcp is Host-checked.
  web.get('/healthz', async (_req, res) => {
    const db = await app.store.health();
    const uptimeSeconds = Math.floor((Date.now() - state.startedAt) / 1000);
    res.status(db.ok ? 200 : 503).json({ status: db.ok ? 'ok' : 'unavailable', db, sessions: sessions.size, inFlight: work.size, uptimeSeconds });
  });
  web.get('/readyz', (_req, res) => {
    res.status(state.ready ? 200 : 503).json({ status: state.ready ? 'ready' : 'shutting down' });
  });
  if (authenticator.resourceMetadata) {
    const { path, body } = authenticator.resourceMetadata;
    web.get(path, (_req, res) => void res.json(body));
  }

  const ownOrigins = [origin, ...(config.publicUrl ? [new URL(config.publicUrl).origin] : [])];
  // Decided on arrival, before the body is read: a request accepted before close() may finish.
  const admit: RequestHandler = (req, res, next) => {
    res.locals.late = !state.ready;
    if (!state.ready) res.set('Connection', 'close');
    if (req.method !== 'GET') res.once('close', work.begin()); // a GET is a standing stream, never "done"
    next();
  };
  const authenticate: RequestHandler = async (req, res, next) => {
    const result = await authenticator.authenticate(req.headers.authorization);
    if ('error' in result) {
      const message = `Unauthorized: ${result.error}. Send Authorization: Bearer <API key>; \`switchboard keys create\` or the key_create tool makes one.`;
      return jsonRpcError(res, 401, -32000, message, { 'WWW-Authenticate': authenticator.challenge(result.error) });
    }
    res.locals.principal = result.principal;
    next();
  };
  // Scrapes need a key too unless SWITCHBOARD_METRICS_PUBLIC says the network is private.
  web.get('/metrics', hostGuard(host, config.allowedHosts), ...(config.metricsPublic ? [] : [authenticate]), async (_req, res) => {
    const { contentType, body } = await app.metrics.scrape();
    res.setHeader('Content-Type', contentType); // as given: express would reorder its parameters
    res.end(body);
  });
  web.use('/mcp', hostGuard(host, config.allowedHosts), originGuard(config.allowedOrigins, () => ownOrigins), admit, authenticate, rateLimitGuard(app, requestCounter));
  web.use('/mcp', express.json({ limit: config.bodyLimit }), bodyErrors(config.bodyLimit));
  web.all('/mcp', async (req, res) => {
    if (res.locals.late && startsWork(req)) {
      return jsonRpcError(res, 503, -32000, 'Service unavailable: this Switchboard is shutting down. Retry in a moment, or against another instance.', { 'Retry-After': '1' });
    }
    if (!['GET', 'POST', 'DELETE'].includes(req.method)) {
      return jsonRpcError(res, 405, -32000, 'Method not allowed: /mcp takes POST (messages), GET (notification stream) and DELETE (end the session).', { Allow: 'GET, POST, DELETE' });
    }
    const principal = res.locals.principal as Principal;
    if (config.httpStateless) return handleStateless(app, principal, req, res);
    const id = req.headers['mcp-session-id'];
    if (typeof id === 'string') {
      const transport = sessions.attach(id, principal, res);
      if (!transport) return jsonRpcError(res, 404, -32001, 'Session not found: it expired, was terminated, or never existed. Start a new session: send initialize without an Mcp-Session-Id header.');
      return transport.handleRequest(req, res, req.body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(req.body)) {
      return jsonRpcError(res, 400, -32000, 'Bad Request: no Mcp-Session-Id header. Start a session with an initialize request (POST), then send its Mcp-Session-Id with every request.');
    }
    const transport = await sessions.open(principal, { ip: req.ip }, res);
    await transport.handleRequest(req, res, req.body);
  });
  web.use(internalErrors(app));
  return web;
}

/** New work: a request (not a notification or an answer), or a fresh notification stream. */
function startsWork(req: Request): boolean {
  if (req.method === 'GET') return req.headers['last-event-id'] === undefined;
  if (req.method !== 'POST') return false;
  return [req.body as unknown].flat().some((m) => isJSONRPCRequest(m));
}

function internalErrors(app: App): ErrorRequestHandler {
  return (error, req: Request, res: Response, _next) => {
    app.log.error({ err: error, method: req.method, path: req.path }, 'HTTP request failed');
    if (res.headersSent) return void res.destroy();
    jsonRpcError(res, 500, -32603, 'Internal error: the server log has the details. Retry; report it if it persists.');
  };
}

// Checks a request to /mcp passes before it reaches MCP: Host (DNS rebinding), Origin (browser
// pages), body size and JSON syntax. Every refusal is a JSON-RPC error body with the HTTP status
// the spec asks for, and says how to get it accepted. Past authentication, the per-principal
// request limit.
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { App } from '../app.js';
import type { Principal } from '../domain/principal.js';
import { rateLimitMessage } from '../domain/ratelimit/check.js';
import type { HttpRateCounter } from '../domain/ratelimit/http-counter.js';

export function jsonRpcError(res: Response, status: number, code: number, message: string, headers: Record<string, string> = {}, data?: Record<string, unknown>): void {
  res.status(status).set(headers).json({ jsonrpc: '2.0', error: { code, message, ...(data ? { data } : {}) }, id: null });
}

/** 429 with Retry-After (whole seconds) once the principal is past SWITCHBOARD_HTTP_RATE_LIMIT. */
export function rateLimitGuard(app: App, counter: HttpRateCounter): RequestHandler {
  return (_req, res, next) => {
    const decision = counter.check((res.locals.principal as Principal).id);
    if (decision.allowed) return next();
    app.metrics.httpRateLimited();
    const { retryAfterMs, limit, windowMs, scope } = decision;
    jsonRpcError(res, 429, -32000, rateLimitMessage(decision), { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)) }, { retryAfterMs, limit, windowMs, scope });
  };
}

const loopbackNames = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Allowed Host names (any port): the configured ones; when none are configured and the server is
 * bound to loopback, the loopback names, since a DNS-rebinding page reaches a local server under
 * its own name. Bound elsewhere with nothing configured, any Host passes (bearer auth still holds).
 * Same check as the SDK's hostHeaderValidation, with a refusal that says how to fix it.
 */
export function hostGuard(host: string, allowedHosts: string[]): RequestHandler {
  const loopback = host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
  if (allowedHosts.length === 0 && !loopback) return (_req, _res, next) => next();
  const names = allowedHosts.length > 0 ? allowedHosts : [...loopbackNames, host];
  const allowed = new Set(names.map(hostnameOf).filter((h) => h !== undefined));
  // Parsing a Host costs a URL per request; clients send the same few, so verdicts are kept.
  const verdicts = new Map<string, boolean>();
  const isAllowed = (host: string) => {
    let verdict = verdicts.get(host);
    if (verdict === undefined) {
      const name = hostnameOf(host);
      verdict = name !== undefined && allowed.has(name);
      if (verdicts.size >= 1_000) verdicts.clear();
      verdicts.set(host, verdict);
    }
    return verdict;
  };
  return (req, res, next) => {
    if (req.headers.host !== undefined && isAllowed(req.headers.host)) return next();
    jsonRpcError(res, 403, -32000, `Forbidden: Host ${req.headers.host ?? '(none)'} is not served here. Use one of ${[...allowed].join(', ')}, or list the name in SWITCHBOARD_ALLOWED_HOSTS.`);
  };
}

/** `example.com:8808` → `example.com`, `::1` → `[::1]`; undefined when it is no host name. */
function hostnameOf(host: string): string | undefined {
  if (/[@/?#\\\s]/.test(host)) return undefined; // URL would read "evil@localhost" as localhost
  const bare = host.includes(':') && !host.startsWith('[') && host.split(':').length > 2 ? `[${host}]` : host;
  try {
    return new URL(`http://${bare}`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Requests without Origin (non-browser clients) pass. A browser page must be served from an
 * allowed origin or from this server itself; allowed origins also get the CORS headers and
 * preflight answers a browser needs to speak MCP.
 */
export function originGuard(allowedOrigins: string[], ownOrigins: () => string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    if (!allowedOrigins.includes(origin) && !ownOrigins().includes(origin)) {
      return jsonRpcError(res, 403, -32000, `Forbidden: Origin ${origin} is not allowed to call this server. Add it to SWITCHBOARD_ALLOWED_ORIGINS (comma-separated) to let pages from it connect.`);
    }
    res.set({
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Expose-Headers': 'Mcp-Session-Id, WWW-Authenticate, Retry-After',
      Vary: 'Origin',
    });
    if (req.method !== 'OPTIONS') return next();
    res
      .status(204)
      .set({
        'Access-Control-Allow-Methods': 'GET, POST, DELETE',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID',
        'Access-Control-Max-Age': '600',
      })
      .end();
  };
}

/** body-parser failures as JSON-RPC errors: 413 past the limit, 400 for JSON that does not parse. */
export function bodyErrors(limit: string): ErrorRequestHandler {
  return (error: { type?: string; status?: number }, _req, res, next) => {
    if (error.type === 'entity.too.large') {
      return jsonRpcError(res, 413, -32600, `Request body too large: the limit is ${limit}. Send a smaller request, or raise the limit with SWITCHBOARD_BODY_LIMIT (e.g. 4mb).`);
    }
    if (error.type === 'entity.parse.failed') return jsonRpcError(res, 400, -32700, 'Parse error: the request body is not valid JSON.');
    if (error.status === 415) return jsonRpcError(res, 415, -32000, 'Unsupported Media Type: send the body as UTF-8 application/json.');
    next(error);
  };
}

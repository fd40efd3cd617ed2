// Checks every HTTP request passes before it reaches MCP: Host (DNS rebinding), Origin (browsers),
// body size and JSON. Refusals are JSON-RPC error bodies with the right status.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { hostHeaderValidation } from '@modelcontextprotocol/sdk/server/middleware/hostHeaderValidation.js';

export function jsonRpcError(res: Response, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  res.status(status).set(headers).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

const loopback = ['localhost', '127.0.0.1', '[::1]'];

/** Allowed hosts: the configured list; else loopback names when bound to loopback; else any. */
export function hostGuard(host: string, allowedHosts: string[]): RequestHandler {
  if (allowedHosts.length > 0) return hostHeaderValidation(allowedHosts);
  const boundToLoopback = loopback.includes(host) || host === '::1' || host.startsWith('127.');
  return boundToLoopback ? hostHeaderValidation([...loopback, host]) : (_req, _res, next) => next();
}

/** No Origin (not a browser) passes; a browser's Origin must be allowed, or be our own. */
export function originGuard(allowedOrigins: string[], ownOrigin: () => string): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined || origin === ownOrigin() || allowedOrigins.includes(origin)) return next();
    jsonRpcError(res, 403, -32000, `Origin ${origin} is not allowed. Add it to SWITCHBOARD_ALLOWED_ORIGINS to let that page call this server.`);
  };
}

/** Turns body-parser failures into JSON-RPC errors: 413 past the limit, 400 for bad JSON. */
export function bodyErrors(limit: string) {
  return (error: Error & { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction): void => {
    if (error.type === 'entity.too.large') return jsonRpcError(res, 413, -32600, `Request body too large: the limit is ${limit}. Send less, or raise SWITCHBOARD_BODY_LIMIT.`);
    if (error.type === 'entity.parse.failed') return jsonRpcError(res, 400, -32700, 'Parse error: the request body is not valid JSON.');
    next(error);
  };
}

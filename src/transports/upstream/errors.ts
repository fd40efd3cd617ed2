// The errors an upstream call can end in, worded for the model that reads them: which server,
// what happened, what to do. Nothing here may carry an env or header value: every text that came
// from the far end (stderr, HTTP error bodies) is scrubbed of them first.
import { DomainError, Invalid, Unavailable } from '../../domain/errors.js';
import type { UpstreamEndpoint } from '../../domain/upstream/port.js';

export type Reason = 'connect' | 'crashed' | 'backoff' | 'timeout' | 'closed' | 'rejected';

export const serverLabel = (endpoint: UpstreamEndpoint): string => `${endpoint.name}@${endpoint.version}`;

function details(endpoint: UpstreamEndpoint, reason: Reason, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { reason, server: serverLabel(endpoint), ...extra };
}

const duration = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${Math.ceil(ms / 1000)} s`);
const retryIn = (ms: number): string => `retry in ${duration(ms)} (after ${new Date(Date.now() + ms).toISOString()})`;

/** Removes the endpoint's env and header values (and their words, e.g. a bearer token) from `text`. */
export function scrub(endpoint: UpstreamEndpoint, text: string): string {
  const t = endpoint.transport;
  const values = Object.values(t.type === 'stdio' ? t.env : t.headers);
  // Whole values, and long words of them (the token of 'Bearer <token>'); short ones would mangle the text.
  const secrets = [...values.filter((v) => v.length >= 4), ...values.flatMap((v) => v.split(/\s+/)).filter((w) => w.length >= 8)];
  secrets.sort((a, b) => b.length - a.length);
  return secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

/** An error as one line, with its HTTP status or its cause's code (e.g. ECONNREFUSED), scrubbed. */
export function describeError(endpoint: UpstreamEndpoint, error: unknown): string {
  if (!(error instanceof Error)) return scrub(endpoint, String(error));
  const status = (error as { code?: unknown }).code; // the SDK's HTTP and SSE errors carry it here
  const cause = error.cause as { code?: string; message?: string } | undefined;
  const extra = typeof status === 'number' && status >= 100 && status < 600 ? `HTTP ${status}` : (cause?.code ?? cause?.message);
  return scrub(endpoint, extra ? `${error.message} (${extra})` : error.message);
}

export function closedError(endpoint: UpstreamEndpoint): Unavailable {
  return new Unavailable(
    `Switchboard is shutting down and has closed its connection to MCP server ${serverLabel(endpoint)}. Retry once Switchboard is running again.`,
    details(endpoint, 'closed'),
  );
}

export function backoffError(endpoint: UpstreamEndpoint, retryAfterMs: number, cause: string): Unavailable {
  return new Unavailable(
    `MCP server ${serverLabel(endpoint)} failed moments ago (${cause}), so Switchboard waits before reconnecting: ${retryIn(retryAfterMs)}. If it keeps failing, check it with registry_check_health or use another version.`,
    details(endpoint, 'backoff', { retryAfterMs }),
  );
}

export function connectError(endpoint: UpstreamEndpoint, cause: string, retryAfterMs: number): Unavailable {
  return new Unavailable(
    `Could not connect to MCP server ${serverLabel(endpoint)}: ${cause}. Check its registered command or URL and credentials (registry_get), then ${retryIn(retryAfterMs)}.`,
    details(endpoint, 'connect', { retryAfterMs }),
  );
}

export function crashedError(endpoint: UpstreamEndpoint, doing: string, cause: string, retryAfterMs: number): Unavailable {
  return new Unavailable(
    `MCP server ${serverLabel(endpoint)} went away while ${doing}: ${cause}. Switchboard reconnects on the next call; ${retryIn(retryAfterMs)}. If the same call keeps crashing it, change the arguments or use another version.`,
    details(endpoint, 'crashed', { retryAfterMs }),
  );
}

/** `sent`: the request reached the server (and was cancelled there), or it never left Switchboard. */
export function timeoutError(endpoint: UpstreamEndpoint, what: string, timeoutMs: number, sent: boolean): Unavailable {
  const fate = sent ? 'the request was cancelled' : 'the request was not sent';
  return new Unavailable(
    `MCP server ${serverLabel(endpoint)} did not ${what} within ${timeoutMs} ms; ${fate}. Retry with a longer timeout, or later if the server is busy.`,
    details(endpoint, 'timeout', { timeoutMs }),
  );
}

/** The upstream answered with a JSON-RPC error, or with something that is not a valid result. */
export function rejectedError(endpoint: UpstreamEndpoint, doing: string, message: string, code?: number): DomainError {
  const text = `MCP server ${serverLabel(endpoint)} returned an error while ${doing}: ${scrub(endpoint, message)}.`;
  // Unknown method or bad params: the caller can fix the request; anything else is the server's.
  if (code === -32601 || code === -32602) return new Invalid(`${text} Check the tool name and arguments against the server's tool list (registry_get).`, details(endpoint, 'rejected', { code }));
  return new Unavailable(`${text} Retry later, or use another version if it persists.`, details(endpoint, 'rejected', code === undefined ? {} : { code }));
}

// The domain's view of the servers it registers: connect, list tools, call a tool. The MCP SDK
// client that implements it lives in src/transports/upstream, so the domain never imports the SDK.

/** A registered server version as the connection manager needs it: secrets already decrypted. */
export interface UpstreamEndpoint {
  /** The server version's id: a stable connection key (a changed transport is a new version). */
  id: string;
  name: string;
  version: string;
  transport:
    | { type: 'stdio'; command: string; args: string[]; cwd?: string; env: Record<string, string> }
    | { type: 'streamable-http' | 'sse'; url: string; headers: Record<string, string> };
}

/** A tool as the upstream's tools/list describes it. */
export interface UpstreamTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

/** An upstream tools/call result, passed on as given. */
export interface UpstreamResult {
  content: unknown[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  _meta?: Record<string, unknown>;
  [key: string]: unknown;
}

/** What Switchboard keeps of an upstream result (a job's result, a trace's response): content and structuredContent. */
export function keptResult(result: Pick<UpstreamResult, 'content' | 'structuredContent'>): { content: unknown[]; structuredContent?: Record<string, unknown> } {
  return { content: result.content, ...(result.structuredContent ? { structuredContent: result.structuredContent } : {}) };
}

export interface UpstreamProgress {
  progress: number;
  total?: number;
  message?: string;
}

export interface CallOptions {
  /** The call fails with Unavailable (details.reason 'timeout') after this long; the upstream is sent notifications/cancelled. */
  timeoutMs: number;
  /** Aborting cancels the upstream request (notifications/cancelled) and rejects the call. */
  signal?: AbortSignal;
  /** Upstream notifications/progress for this call. */
  onProgress?: (progress: UpstreamProgress) => void;
  /** Sent as the request's params._meta (e.g. traceparent). */
  meta?: Record<string, unknown>;
}

/**
 * Failures are thrown as DomainErrors: Unavailable with details.reason 'connect' | 'crashed' |
 * 'backoff' | 'timeout' | 'closed', and details.retryAfterMs while backing off. An abort through
 * CallOptions.signal rejects with the signal's reason.
 */
export interface Upstream {
  callTool(endpoint: UpstreamEndpoint, tool: string, args: Record<string, unknown>, options: CallOptions): Promise<UpstreamResult>;
  /** Connects (or reuses the connection), pings, and lists every tool (all pages). */
  probe(endpoint: UpstreamEndpoint, timeoutMs: number): Promise<UpstreamTool[]>;
  /** Closes every connection and kills every child process and its children. */
  close(): Promise<void>;
}

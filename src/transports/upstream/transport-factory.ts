// One client transport per endpoint type: our process-group stdio transport, Streamable HTTP, or
// legacy SSE (headers go on every request, the event stream's GET included).
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Logger } from 'pino';
import type { UpstreamEndpoint } from '../../domain/upstream/port.js';
import { settledOrAfter } from './budget.js';
import { inOrder } from './ordered-transport.js';
import { ProcessTransport } from './process-transport.js';

export interface OpenedTransport {
  transport: Transport;
  /** How the far end ended and what it last said (stdio only); unscrubbed. */
  diagnostics(): string;
  /** Ends the session and closes; for stdio, stops the process group. Never rejects. */
  stop(): Promise<void>;
}

export function openTransport(endpoint: UpstreamEndpoint, baseEnv: Record<string, string>, log: Logger): OpenedTransport {
  const t = endpoint.transport;
  if (t.type === 'stdio') {
    const transport = new ProcessTransport({ command: t.command, args: t.args, cwd: t.cwd, env: { ...baseEnv, ...t.env } }, log);
    return { transport: inOrder(transport), diagnostics: () => transport.diagnostics(), stop: () => transport.close().catch(logged(log)) };
  }
  const url = new URL(t.url);
  if (t.type === 'sse') {
    const transport = new SSEClientTransport(url, { requestInit: { headers: t.headers } });
    return { transport: inOrder(transport), diagnostics: () => '', stop: () => transport.close().catch(logged(log)) };
  }
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: t.headers } });
  return {
    transport: inOrder(transport),
    diagnostics: () => '',
    async stop() {
      // Tell the server the session is over (DELETE), but do not wait on a server that hangs.
      if (transport.sessionId) await settledOrAfter(transport.terminateSession(), 1000);
      await transport.close().catch(logged(log));
    },
  };
}

const logged =
  (log: Logger) =>
  (error: unknown): void =>
    log.debug({ err: error }, 'closing an upstream transport failed');

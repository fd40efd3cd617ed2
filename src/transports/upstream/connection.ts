// One initialized MCP client session with an upstream server, over whichever transport it speaks.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import type { Logger } from 'pino';
import type { UpstreamEndpoint } from '../../domain/upstream/port.js';
import { version } from '../../version.js';
import { linkedSignal, within } from './budget.js';
import { describeError, scrub } from './errors.js';
import { openTransport } from './transport-factory.js';

export interface Connection {
  readonly client: Client;
  /** True once the session is over, closed by us or not. */
  readonly gone: boolean;
  /** How the far end ended and what it last said, scrubbed of secrets; '' when nothing is known. */
  diagnostics(): string;
  /** Closes the session (stopping a stdio server's process group); idempotent, never rejects. */
  close(): Promise<void>;
}

export interface ConnectOptions {
  log: Logger;
  baseEnv: Record<string, string>;
  timeoutMs: number;
  /** Aborted when the pool closes: a connect under way gives up and stops what it started. */
  shutdown: AbortSignal;
  /** The session ended without close() after it was established (a crash, a dropped stream). */
  onLost(connection: Connection, cause: string): void;
}

/** Connects and initializes; on failure everything started is stopped before the rejection. */
export async function openConnection(endpoint: UpstreamEndpoint, options: ConnectOptions): Promise<Connection> {
  const { log } = options;
  const opened = openTransport(endpoint, options.baseEnv, log);
  const client = new Client({ name: 'switchboard', version }, { capabilities: {} });
  let established = false;
  let gone = false;
  let closing: Promise<void> | undefined;
  const connection: Connection = {
    client,
    get gone() {
      return gone;
    },
    diagnostics: () => scrub(endpoint, opened.diagnostics()),
    close: () => (closing ??= opened.stop()),
  };
  client.onclose = () => {
    gone = true;
    if (established && !closing) options.onLost(connection, connection.diagnostics() ? `the server ${connection.diagnostics()}` : 'it closed the connection');
  };
  client.onerror = (error) => {
    log.debug({ err: error }, 'upstream transport error');
    // A legacy SSE stream that fails is never reported as a close, and the stream the SDK then
    // reconnects belongs to a new, uninitialized server session: the connection is lost.
    if (established && !closing && error instanceof SseError) options.onLost(connection, `its event stream failed: ${describeError(endpoint, error)}`);
  };
  const link = linkedSignal(options.shutdown);
  try {
    const deadline = Date.now() + options.timeoutMs;
    const initialize = client.connect(opened.transport, { timeout: options.timeoutMs, signal: link.signal });
    await within(initialize, { deadline, signal: options.shutdown }, () => new Error(`it did not finish initializing within ${options.timeoutMs} ms`));
    if (gone) throw new Error('it closed the connection right after initializing');
  } catch (error) {
    await connection.close();
    const diagnostics = connection.diagnostics();
    throw new Error(diagnostics ? `${describeError(endpoint, error)}; the server ${diagnostics}` : describeError(endpoint, error), { cause: error });
  } finally {
    link.unlink();
  }
  established = true;
  return connection;
}

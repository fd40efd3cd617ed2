// The two things the pool asks of an upstream: call one tool, and probe (ping + every tools/list
// page). Results are checked only for the shape the port promises, never against tool schemas.
import { z } from 'zod';
import type { CallOptions, UpstreamResult, UpstreamTool } from '../../domain/upstream/port.js';
import { linkedSignal, remainingMs, within, type Budget } from './budget.js';
import type { EndpointState } from './endpoint-state.js';
import { rejectedError, timeoutError } from './errors.js';

const CallResult = z.looseObject({
  content: z.array(z.unknown()).default([]),
  structuredContent: z.record(z.string(), z.unknown()).optional(),
  isError: z.boolean().optional(),
  _meta: z.record(z.string(), z.unknown()).optional(),
});

const ToolsPage = z.object({
  tools: z.array(
    z.object({
      name: z.string(),
      title: z.string().optional(),
      description: z.string().optional(),
      inputSchema: z.record(z.string(), z.unknown()),
      outputSchema: z.record(z.string(), z.unknown()).optional(),
      annotations: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
  nextCursor: z.string().optional(),
});

// Results are parsed here rather than by the SDK, so a malformed one is reported as such (and the
// SDK's own output-schema check, which would reject a result the port says to pass on, is skipped).
const Raw = z.unknown();

export async function callTool(state: EndpointState, tool: string, args: Record<string, unknown>, options: CallOptions): Promise<UpstreamResult> {
  const { endpoint } = state;
  const { timeoutMs, signal, onProgress, meta } = options;
  const budget: Budget = { deadline: Date.now() + timeoutMs, signal };
  signal?.throwIfAborted();
  state.assertAvailable();
  const release = await state.limiter.acquire(budget, () => timeoutError(endpoint, `get a free call slot for tool ${tool} (all are busy)`, timeoutMs, false));
  const link = linkedSignal(signal);
  try {
    const connection = await within(state.connection(), budget, () => timeoutError(endpoint, `finish connecting (for tool ${tool})`, timeoutMs, false));
    const done = state.hold(true);
    try {
      const params = { name: tool, arguments: args, ...(meta ? { _meta: meta } : {}) };
      const raw = await connection.client.request({ method: 'tools/call', params }, Raw, {
        timeout: Math.max(1, remainingMs(budget)),
        signal: link.signal,
        resetTimeoutOnProgress: false,
        ...(onProgress ? { onprogress: ({ progress, total, message }) => onProgress({ progress, total, message }) } : {}),
      });
      const result = CallResult.safeParse(raw);
      if (!result.success) throw rejectedError(endpoint, `calling tool ${tool}`, `its answer is not a tools/call result (${z.prettifyError(result.error)})`);
      state.succeeded();
      return result.data;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw state.failure(error, connection, `calling tool ${tool}`, timeoutMs);
    } finally {
      done();
    }
  } finally {
    link.unlink();
    release();
  }
}

export async function probe(state: EndpointState, timeoutMs: number): Promise<UpstreamTool[]> {
  const { endpoint } = state;
  const budget: Budget = { deadline: Date.now() + timeoutMs };
  const connection = await within(state.connection(), budget, () => timeoutError(endpoint, 'finish connecting (for a health check)', timeoutMs, false));
  const done = state.hold(false);
  const options = (): { timeout: number } => ({ timeout: Math.max(1, remainingMs(budget)) });
  try {
    await connection.client.request({ method: 'ping' }, Raw, options());
    const tools: UpstreamTool[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const raw = await connection.client.request({ method: 'tools/list', params: cursor === undefined ? {} : { cursor } }, Raw, options());
      const page = ToolsPage.safeParse(raw);
      if (!page.success) throw rejectedError(endpoint, 'listing its tools', `its answer is not a tools/list result (${z.prettifyError(page.error)})`);
      tools.push(...page.data.tools);
      cursor = page.data.nextCursor;
      if (cursor !== undefined && seen.has(cursor)) throw rejectedError(endpoint, 'listing its tools', `it returned the cursor ${JSON.stringify(cursor)} twice`);
      if (cursor !== undefined) seen.add(cursor);
    } while (cursor !== undefined);
    state.succeeded();
    return tools;
  } catch (error) {
    throw state.failure(error, connection, 'answering a health check (ping, tools/list)', timeoutMs);
  } finally {
    done();
  }
}

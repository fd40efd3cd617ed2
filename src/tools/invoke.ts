// invoke: call a registered server's tool through routing, policy and tracing. The upstream result
// is passed on as given (so invoke declares no outputSchema), with _meta naming where it went.
import { invoke } from '../domain/upstream/invoke.js';
import { invokeInput } from '../domain/upstream/invoke-schema.js';
import { traceparentOf } from '../domain/traces/record.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { defineTool } from './tool.js';

export const invokeTools = [
  defineTool({
    name: 'invoke',
    title: 'Invoke an upstream tool',
    description:
      'Calls a tool of a registered MCP server and returns that tool’s result as it gave it. Name an intent (e.g. billing.invoice.create) to go where the routes send it in your environment — as route_resolve would answer — or name server and tool to call one directly. Arguments are checked against the tool’s input schema first; the call is authorized as action invoke on the intent (or the server name), traced, cancelled upstream if you cancel it or it times out, and its progress is passed on. The result’s _meta["switchboard/invoke"] names the trace id, server, version, tool and route.',
    input: invokeInput,
    output: null,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    target: (a) => a.intent ?? a.server ?? '',
    environment: (a) => a.environment,
    taskSupport: 'optional',
    annotateTask: (a) => ({ intent: a.intent ?? null, serverName: a.server ?? null, environment: a.environment ?? null }),
    async run(args, ctx) {
      const { result, target, upstreamLatencyMs } = await invoke(ctx.app.deps, ctx.principal, args, {
        signal: ctx.signal,
        traceparent: traceparentOf(ctx.trace),
        onProgress: (p) => void ctx.progress(p.progress, p.total, p.message),
        onTarget: (t) => ctx.annotate({ intent: t.intent, environment: t.environment, serverName: t.server, serverVersion: t.version, routeId: t.routeId, cost: t.cost }),
      });
      ctx.annotate({ upstreamLatencyMs, cost: target.cost });
      const where = { traceId: ctx.trace.traceId, server: target.server, version: target.version, tool: target.tool, routeId: target.routeId, intent: target.intent, fallback: target.fallback };
      return { passthrough: { ...result, _meta: { ...result._meta, 'switchboard/invoke': where } } as CallToolResult };
    },
  }),
];

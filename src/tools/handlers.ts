// tools/list and tools/call on the low-level SDK Server, so that we control what the SDK's
// McpServer does not: JSON-RPC -32602 for an unknown tool, pagination, our own validation
// messages, JSON Schema 2020-12 from zod, and tools filtered and authorized per principal.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ErrorCode, ListToolsRequestSchema, McpError, type CallToolRequest, type CallToolResult, type CreateTaskResult, type Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { App } from '../app.js';
import { DomainError } from '../domain/errors.js';
import { unacceptable } from '../domain/json-guard.js';
import { keptResult } from '../domain/upstream/port.js';
import { authorize, visibleActions } from '../domain/policy/authorize.js';
import { checkRateLimit, rateLimitFacts, rateLimitMessage } from '../domain/ratelimit/check.js';
import type { Session } from '../transports/session.js';
import { describeTools } from './describe.js';
import { allTools } from './index.js';
import { followTask } from './tasks.js';
import type { Tool, ToolContext, TraceAnnotations } from './tool.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { newSpanId, newTraceIds, parentFrom, redactPayloads } from '../domain/traces/record.js';

const PAGE = 100;

// Registered with a loose schema: with CallToolRequestSchema itself, a request the SDK cannot parse
// (arguments that are not an object) fails before the SDK's own check and comes back as -32603
// Internal error; this way that check answers it, as -32602 Invalid params.
const AnyToolCall = z.object({ method: z.literal('tools/call'), params: z.looseObject({}) });

// Described once per tool list: stateless HTTP builds a server per request.
const described = new WeakMap<Tool[], { byName: Map<string, Tool>; listed: McpTool[] }>();

export function registerToolHandlers(server: Server, app: App, session: Session, tools: Tool[] = allTools): void {
  let known = described.get(tools);
  if (!known) described.set(tools, (known = { byName: new Map(tools.map((t) => [t.name, t])), listed: describeTools(tools) }));
  const { byName, listed } = known;

  server.setRequestHandler(ListToolsRequestSchema, async (request) => {
    const start = request.params?.cursor ? Number.parseInt(Buffer.from(request.params.cursor, 'base64url').toString(), 10) : 0;
    if (!Number.isInteger(start) || start < 0) throw new McpError(ErrorCode.InvalidParams, 'Invalid cursor for tools/list; call again without one.');
    const visible = await visibleActions(app.deps, session.principal, tools.map((t) => t.name));
    const mine = listed.filter((t) => visible.has(t.name));
    const pageOfTools = mine.slice(start, start + PAGE);
    const next = start + PAGE < mine.length ? Buffer.from(String(start + PAGE)).toString('base64url') : undefined;
    return { tools: pageOfTools, ...(next ? { nextCursor: next } : {}) };
  });

  server.setRequestHandler(AnyToolCall, async (loose, extra): Promise<CallToolResult | CreateTaskResult> => {
    // The SDK's tools/call wrapper has checked it against CallToolRequestSchema (-32602 if not).
    const request = loose as CallToolRequest;
    const tool = byName.get(request.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}. Call tools/list to see the tools available to you.`);
    const task = request.params.task;
    if (task && !tool.taskSupport) {
      const capable = tools.filter((t) => t.taskSupport).map((t) => t.name);
      throw new McpError(ErrorCode.MethodNotFound, `${tool.name} does not run as a task; call it without params.task. Tools that do: ${capable.join(', ')}.`);
    }
    const startedAt = new Date();
    const started = performance.now();
    const parent = parentFrom(request.params._meta);
    const trace = parent ? { traceId: parent.traceId, spanId: newSpanId() } : newTraceIds();
    const annotations: TraceAnnotations = {};
    const outcome = await callTool(tool, request.params.arguments ?? {}, { trace, annotations, progressToken: request.params._meta?.progressToken, extra, task });
    await app.deps.traces.write({
      ...trace,
      parentSpanId: parent?.parentSpanId ?? null,
      startedAt,
      principal: session.principal.id,
      sessionId: session.sessionId ?? null,
      transport: session.transport,
      method: 'tools/call',
      tool: tool.name,
      intent: null,
      serverName: null,
      serverVersion: null,
      routeId: null,
      environment: null,
      upstreamLatencyMs: null,
      cost: null,
      jobId: null,
      ...annotations,
      decision: outcome.decision ?? null,
      status: outcome.status,
      error: outcome.result.isError ? app.deps.redactor.redactString(textOf(outcome.result)).value : null,
      errorType: outcome.errorType ?? null,
      latencyMs: performance.now() - started,
      ...redactPayloads(app.deps.redactor, request.params.arguments ?? {}, outcome.created ?? (tool.output ? outcome.result.structuredContent : keptResult(outcome.result))),
    });
    if (outcome.created) {
      void followTask(server, app, session, outcome.created.task, request.params._meta?.progressToken).catch((error: unknown) => app.log.warn({ err: error }, 'following a task failed'));
      return outcome.created;
    }
    // A task-augmented call answers with a task or a JSON-RPC error: what went wrong before the task existed.
    if (task) throw new McpError(ErrorCode.InvalidParams, textOf(outcome.result));
    return outcome.result;
  });

  type Outcome = { result: CallToolResult; status: 'ok' | 'error' | 'denied'; decision?: 'allow' | 'deny'; errorType?: string; created?: CreateTaskResult };
  type CallState = {
    trace: ToolContext['trace'];
    annotations: TraceAnnotations;
    progressToken: string | number | undefined;
    extra: RequestHandlerExtra<ServerRequest, ServerNotification>;
    task: { ttl?: number } | undefined;
  };

  async function callTool(tool: Tool, args: unknown, { trace, annotations, progressToken, extra, task }: CallState): Promise<Outcome> {
    const bad = unacceptable(args);
    const parsed = bad ? undefined : tool.input.safeParse(args);
    if (!parsed?.success) {
      const issues = bad ? [bad] : parsed!.error.issues;
      return { result: errorResult(invalidArguments(tool.name, issues)), status: 'error', errorType: 'invalid_arguments' };
    }
    const environment = tool.environment?.(parsed.data);
    const decision = await authorize(app.deps, {
      principal: session.principal,
      action: tool.name,
      resource: tool.target?.(parsed.data) ?? '',
      ...(environment ? { environment } : {}),
      ...(session.context ? { context: session.context } : {}),
    });
    if (decision.decision === 'deny') {
      const text = `Denied: ${decision.reason}. Nothing was done; ask an administrator for a policy that allows it (policy_evaluate with explain: true shows why).`;
      return { result: errorResult(text), status: 'denied', decision: 'deny', errorType: 'denied' };
    }
    // After the policy: a refused call does not use up the caller's allowance.
    const limited = await checkRateLimit(app.deps, rateLimitFacts(session.principal.id, tool.name, parsed.data));
    if (!limited.allowed) {
      const { retryAfterMs, limit, windowMs, scope } = limited;
      const result = { ...errorResult(rateLimitMessage(limited)), _meta: { 'switchboard/rateLimit': { retryAfterMs, limit, windowMs, scope } } };
      return { result, status: 'error', decision: 'allow', errorType: 'rate_limited' };
    }
    const ctx: ToolContext = {
      app,
      principal: session.principal,
      transport: session.transport,
      ...(session.sessionId ? { sessionId: session.sessionId } : {}),
      ...(session.context ? { context: session.context } : {}),
      signal: extra.signal,
      trace,
      annotate: (fields) => Object.assign(annotations, fields),
      async progress(progress, total, message) {
        if (progressToken === undefined) return;
        await extra
          .sendNotification({ method: 'notifications/progress', params: { progressToken, progress, ...(total !== undefined ? { total } : {}), ...(message ? { message } : {}) } })
          .catch(() => {});
      },
    };
    try {
      if (task) {
        // The job the task is: created in the task store (the SDK hands its requests on), run later by a job worker.
        if (!extra.taskStore) throw new Error('task-augmented call without a task store');
        const created = await extra.taskStore.createTask({ ...(task.ttl !== undefined ? { ttl: task.ttl } : {}) });
        ctx.annotate({ jobId: created.taskId, ...tool.annotateTask?.(parsed.data) });
        return { result: { content: [] }, created: { task: created }, status: 'ok', decision: 'allow' };
      }
      const answer = await tool.run(parsed.data, ctx);
      if ('passthrough' in answer) {
        const failed = answer.passthrough.isError === true;
        return { result: answer.passthrough, status: failed ? 'error' : 'ok', decision: 'allow', ...(failed ? { errorType: 'tool_error' } : {}) };
      }
      return { result: { structuredContent: answer.data as Record<string, unknown>, content: [{ type: 'text', text: answer.text }] }, status: 'ok', decision: 'allow' };
    } catch (error) {
      // error.type follows OpenTelemetry: tool_error for a result the model sees as isError.
      if (error instanceof DomainError) return { result: errorResult(`${error.code}: ${error.message}`), status: 'error', decision: 'allow', errorType: 'tool_error' };
      if (extra.signal.aborted) return { result: errorResult('Cancelled by the caller.'), status: 'error', decision: 'allow', errorType: 'cancelled' };
      app.log.error({ err: error, tool: tool.name }, 'tool failed');
      return { result: errorResult(`Internal error in ${tool.name}: the server log has the details. Retry; report it if it persists.`), status: 'error', decision: 'allow', errorType: 'internal' };
    }
  }
}

const textOf = (result: CallToolResult) => result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

function invalidArguments(tool: string, issues: { path: PropertyKey[]; message: string }[]): string {
  const lines = issues.map((issue) => `- ${issue.path.length ? issue.path.map(String).join('.') : '(arguments)'}: ${issue.message}`);
  return `Invalid arguments for ${tool}:\n${lines.join('\n')}\nFix these and call again; tools/list shows the input schema.`;
}

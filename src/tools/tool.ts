// A tool is plain data: name, title, description for a model, zod input and output, annotations,
// and a thin handler that calls one domain function. src/tools/index.ts lists them all.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { App } from '../app.js';
import type { Principal } from '../domain/principal.js';
import type { TraceRecord } from '../domain/traces/record.js';

export type TransportKind = 'stdio' | 'http' | 'memory';

export interface ToolContext {
  app: App;
  principal: Principal;
  transport: TransportKind;
  sessionId?: string;
  /** Request facts policies may test as context.* (e.g. ip), for decisions a tool makes itself. */
  context?: Record<string, unknown>;
  signal: AbortSignal;
  /** Sends notifications/progress when the caller asked for it; a no-op otherwise. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /** This call's trace context, for propagating to upstream calls. */
  trace: { traceId: string; spanId: string };
  /** Adds what only the tool knows (intent, server, upstream latency, cost…) to this call's trace. */
  annotate(fields: TraceAnnotations): void;
}

export type TraceAnnotations = Partial<Pick<TraceRecord, 'intent' | 'serverName' | 'serverVersion' | 'routeId' | 'environment' | 'upstreamLatencyMs' | 'cost' | 'jobId'>>;

/** A tool's answer: structured data and a short text, or (invoke) an upstream result passed on as given. */
export type ToolAnswer<O extends z.ZodObject> = { data: z.output<O>; text: string } | { passthrough: CallToolResult };

export interface Annotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface Tool<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  /** null: the result is an upstream tool's, passed through, so the tool declares no outputSchema. */
  output: O | null;
  annotations: Annotations;
  /** What the call acts on, for policy decisions (a server name, an intent, a key id…). */
  target?: (args: z.output<I>) => string;
  /** The environment the call acts in, for policy decisions (invoke's environment argument). */
  environment?: (args: z.output<I>) => string | undefined;
  run(args: z.output<I>, ctx: ToolContext): Promise<ToolAnswer<O>>;
  /** Present when the tool also runs as an MCP task (a task-augmented tools/call makes a job; src/tools/tasks.ts). */
  taskSupport?: 'optional';
  /** What a task-augmented call's trace records of it before the job runs. */
  annotateTask?: (args: z.output<I>) => TraceAnnotations;
}

export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(tool: Tool<I, O>): Tool {
  return tool as unknown as Tool;
}

export const readOnly: Annotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
export const additive: Annotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false };
export const idempotentWrite: Annotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false };
export const destructive: Annotations = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false };

// A tool is plain data: name, title, description for a model, zod input and output, annotations,
// and a thin handler that calls one domain function. src/tools/index.ts lists them all.
import type { z } from 'zod';
import type { App } from '../app.js';
import type { Principal } from '../domain/principal.js';

export type TransportKind = 'stdio' | 'http' | 'memory';

export interface ToolContext {
  app: App;
  principal: Principal;
  transport: TransportKind;
  sessionId?: string;
  signal: AbortSignal;
  /** Sends notifications/progress when the caller asked for it; a no-op otherwise. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
}

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
  output: O;
  annotations: Annotations;
  /** What the call acts on, for policy decisions (a server name, an intent, a key id…). */
  target?: (args: z.output<I>) => string;
  run(args: z.output<I>, ctx: ToolContext): Promise<{ data: z.output<O>; text: string }>;
}

export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(tool: Tool<I, O>): Tool {
  return tool as unknown as Tool;
}

export const readOnly: Annotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
export const additive: Annotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false };
export const idempotentWrite: Annotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false };
export const destructive: Annotations = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false };

import { z } from 'zod';
import { semverRange, serverName } from '../registry/schema.js';
import { environmentName, intent } from '../routes/schema.js';

export const invokeInput = z
  .object({
    intent: intent.optional().describe('What you want done, e.g. billing.invoice.create: resolved through the routes (as route_resolve would) to a server and tool. Give this, or server and tool.'),
    server: serverName.optional().describe('Call this registered server directly instead of resolving an intent (with tool).'),
    tool: z.string().min(1).max(128).optional().describe('The upstream tool to call on server.'),
    version: semverRange.optional().describe('A version or range of the server you prefer; the healthiest highest version inside it is called.'),
    environment: environmentName.optional().describe('dev, staging, prod…: picks the routes of that environment and is what policies see.'),
    arguments: z.record(z.string(), z.unknown()).default({}).describe('The upstream tool’s arguments; checked against its input schema before the call.'),
    timeoutMs: z.number().int().min(1).max(3_600_000).optional().describe('Give up (and cancel the upstream call) after this long. Default: the server’s configured upstream timeout.'),
  })
  .superRefine((v, ctx) => {
    const direct = v.server !== undefined || v.tool !== undefined;
    if (v.intent !== undefined && direct) ctx.addIssue({ code: 'custom', message: 'give either intent, or server and tool — not both' });
    else if (v.intent === undefined && (v.server === undefined || v.tool === undefined)) ctx.addIssue({ code: 'custom', message: 'give intent (e.g. billing.invoice.create), or both server and tool' });
  });
export type InvokeInput = z.infer<typeof invokeInput>;

/** Where a call went: known before the upstream is called, so a failed call is traced with it. */
export interface InvokeTarget {
  intent: string | null;
  environment: string | null;
  server: string;
  version: string;
  tool: string;
  routeId: string | null;
  fallback: boolean;
  /** What the call cost (price per call plus per reported unit: the route's prices, else the server's); null when unpriced or not yet called. */
  cost: number | null;
}

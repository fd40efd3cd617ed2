import { z } from 'zod';
import { validatePattern } from '../patterns.js';
import { semverRange, serverName } from '../registry/schema.js';

export const environmentName = z
  .string()
  .min(1)
  .max(50)
  .regex(/^(\*|[a-z0-9][a-z0-9_-]*)$/, 'an environment is a lowercase name such as dev, staging or prod, or * for every environment');

export const intentPattern = z
  .string()
  .max(256)
  .superRefine((p, ctx) => {
    const problem = validatePattern(p);
    if (problem) ctx.addIssue({ code: 'custom', message: `${problem} (intents are dot-separated, e.g. billing.invoice.create; * matches one segment, ** any number)` });
  });

export const intent = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'an intent is dot-separated words such as billing.invoice.create');

const toolName = z.string().min(1).max(128).regex(/^[a-zA-Z0-9_./-]+$/, 'a tool name as the upstream server lists it');

const priority = z.number().int().min(-1000).max(1000).describe('Higher wins among equally specific routes.');

const routeFields = z.object({
  intentPattern,
  environment: environmentName,
  serverName,
  versionRange: semverRange,
  toolName,
  priority,
  weight: z.number().int().min(1).max(10_000).nullable().optional().describe('Canary share among equally ranked routes; a caller sticks to one side. null clears it.'),
  enabled: z.boolean(),
  description: z.string().max(1000).optional(),
  costPerCall: z.number().min(0).max(1_000_000).optional().describe('Cost of each call through this route (instead of the server’s prices).'),
  costPerUnit: z.number().min(0).max(1_000_000).optional().describe('Added per unit the upstream reports in _meta.units (instead of the server’s prices).'),
});

export const createRouteInput = routeFields.extend({
  environment: environmentName.default('*'),
  versionRange: semverRange.default('*'),
  priority: priority.default(0),
  enabled: z.boolean().default(true),
});
export type CreateRouteInput = z.infer<typeof createRouteInput>;

// No defaults here: an update changes only the fields it names.
export const updateRouteInput = routeFields.partial().extend({ id: z.string().min(1).max(64) });
export type UpdateRouteInput = z.infer<typeof updateRouteInput>;

export const routeView = z.object({
  id: z.string(),
  intentPattern: z.string(),
  environment: z.string(),
  serverName: z.string(),
  versionRange: z.string(),
  toolName: z.string(),
  priority: z.number(),
  weight: z.number().nullable(),
  enabled: z.boolean(),
  description: z.string().nullable(),
  costPerCall: z.number().nullable(),
  costPerUnit: z.number().nullable(),
  source: z.string(),
  createdBy: z.string(),
  updatedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RouteView = z.infer<typeof routeView>;

export const resolveInput = z.object({
  intent,
  environment: environmentName.optional().describe('dev, staging, prod…; omit to use only routes for every environment (*).'),
  version: semverRange.optional().describe('A version or range you prefer, intersected with the route’s range.'),
});
export type ResolveInput = z.infer<typeof resolveInput>;

export const resolution = z.object({
  intent: z.string(),
  environment: z.string().nullable(),
  server: z.string(),
  version: z.string(),
  transport: z.object({ type: z.string(), summary: z.string() }),
  tool: z.string(),
  routeId: z.string().nullable(),
  fallback: z.boolean().describe('true when no route matched and a discovered tool was chosen by capability.'),
  score: z.number().optional(),
  explanation: z.array(z.string()).describe('Each step, and why each losing candidate lost.'),
});
export type Resolution = z.infer<typeof resolution>;

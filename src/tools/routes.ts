import { z } from 'zod';
import { createRoute, deleteRoute, listRoutes, listRoutesInput, updateRoute } from '../domain/routes/crud.js';
import { resolveRoute } from '../domain/routes/resolve.js';
import { createRouteInput, resolution, resolveInput, routeView, updateRouteInput, type RouteView } from '../domain/routes/schema.js';
import { additive, defineTool, destructive, idempotentWrite, readOnly } from './tool.js';

const line = (r: RouteView) =>
  `${r.id}: ${r.intentPattern} @${r.environment} → ${r.serverName}@${r.versionRange} ${r.toolName} (priority ${r.priority}${r.weight ? `, weight ${r.weight}` : ''}${r.enabled ? '' : ', disabled'})`;
const routeResult = z.object({ route: routeView });
const byId = z.object({ id: z.string().min(1).max(64).describe('The route id (route_list shows them).') });

export const routeTools = [
  defineTool({
    name: 'route_create',
    title: 'Create a route',
    description:
      'Maps an intent pattern (dot-separated, e.g. billing.invoice.create; * matches one segment, ** any number) in an environment (dev, staging, prod or * for all) to a registered server, a semver range of its versions, and one of its tools. priority breaks ties between equally specific routes; weight splits traffic between equally ranked routes (canary), sticky per caller. Returns the route.',
    input: createRouteInput,
    output: routeResult,
    annotations: additive,
    target: (a) => a.intentPattern,
    async run(args, ctx) {
      const route = await createRoute(ctx.app.deps, ctx.principal, args);
      return { data: { route }, text: `Created ${line(route)}` };
    },
  }),
  defineTool({
    name: 'route_update',
    title: 'Update a route',
    description: 'Changes the fields you pass on an existing route (pattern, environment, server, range, tool, priority, weight, enabled…); other fields stay. Takes effect for every Switchboard process within a second. Returns the route.',
    input: updateRouteInput,
    output: routeResult,
    annotations: idempotentWrite,
    target: (a) => a.id,
    async run(args, ctx) {
      const route = await updateRoute(ctx.app.deps, ctx.principal, args);
      return { data: { route }, text: `Updated ${line(route)}` };
    },
  }),
  defineTool({
    name: 'route_delete',
    title: 'Delete a route',
    description: 'Deletes a route for good. To stop using a route for a while, route_update it with enabled: false instead. Returns the deleted route.',
    input: byId,
    output: routeResult,
    annotations: destructive,
    target: (a) => a.id,
    async run(args, ctx) {
      const route = await deleteRoute(ctx.app.deps, ctx.principal, args.id);
      return { data: { route }, text: `Deleted ${line(route)}` };
    },
  }),
  defineTool({
    name: 'route_list',
    title: 'List routes',
    description: 'Lists routes, optionally only those of one server, environment, or enabled state. Paginated: pass nextCursor back as cursor.',
    input: listRoutesInput,
    output: z.object({ routes: z.array(routeView), nextCursor: z.string().optional() }),
    annotations: readOnly,
    async run(args, ctx) {
      const { items, nextCursor } = await listRoutes(ctx.app.deps, args);
      return { data: { routes: items, ...(nextCursor ? { nextCursor } : {}) }, text: items.map(line).join('\n') || 'No routes.' };
    },
  }),
  defineTool({
    name: 'route_resolve',
    title: 'Resolve an intent to a server and tool',
    description:
      'Answers which server, version and tool would handle an intent in an environment, without calling it: exact environment before *, more specific patterns first, then priority, canary weights (sticky per caller), the healthiest highest eligible version, failover to the next route when a server has no eligible version, and capability fallback over discovered tools. The explanation lists each step and why each losing candidate lost.',
    input: resolveInput,
    output: resolution,
    annotations: readOnly,
    target: (a) => a.intent,
    async run(args, ctx) {
      const r = await resolveRoute(ctx.app.deps.cache, ctx.principal, args);
      return { data: r, text: `${r.intent} → ${r.server}@${r.version} ${r.tool}${r.fallback ? ' (capability fallback)' : ` via route ${r.routeId}`}\n${r.explanation.join('\n')}` };
    },
  }),
];

import { z } from 'zod';
import { audit } from '../audit.js';
import { bumpTopic } from '../change-feed.js';
import type { Deps } from '../deps.js';
import { NotFound } from '../errors.js';
import { decodeCursor, page, pageInput } from '../pagination.js';
import type { Principal } from '../principal.js';
import type { Route, Tx } from '../../store/index.js';
import { environmentName, type CreateRouteInput, type RouteView, type UpdateRouteInput } from './schema.js';

// Field by field, not a spread of the row: a column the view does not declare (packId) would break
// the tools' outputSchema (no additional properties), and clients that check it reject the result.
export function toRouteView(r: Route): RouteView {
  return {
    id: r.id,
    intentPattern: r.intentPattern,
    environment: r.environment,
    serverName: r.serverName,
    versionRange: r.versionRange,
    toolName: r.toolName,
    priority: r.priority,
    weight: r.weight,
    enabled: r.enabled,
    description: r.description,
    costPerCall: r.costPerCall,
    costPerUnit: r.costPerUnit,
    source: r.source,
    createdBy: r.createdBy,
    updatedBy: r.updatedBy,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const routeData = (input: Partial<CreateRouteInput>) =>
  Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<CreateRouteInput>;

export async function createRoute(deps: Deps, by: Principal, input: CreateRouteInput, origin: { source?: string; packId?: string } = {}): Promise<RouteView> {
  const route = await deps.db.$transaction((tx) => insertRoute(tx, by, input, origin));
  deps.feed.touch('routes');
  return toRouteView(route);
}

/** The insert itself, for callers that already hold a transaction (route_create, packs). */
export async function insertRoute(tx: Tx, by: Principal, input: CreateRouteInput, origin: { source?: string; packId?: string } = {}): Promise<Route> {
  const row = await tx.route.create({ data: { ...input, weight: input.weight ?? null, createdBy: by.id, updatedBy: by.id, source: origin.source ?? 'manual', packId: origin.packId ?? null } });
  await bumpTopic(tx, 'routes');
  await audit(tx, { principal: by.id, action: 'route_create', entityType: 'route', entityId: row.id, detail: { intentPattern: row.intentPattern, serverName: row.serverName } });
  return row;
}

export async function updateRoute(deps: Deps, by: Principal, input: UpdateRouteInput): Promise<RouteView> {
  const { id, ...changes } = input;
  const route = await deps.db.$transaction(async (tx) => {
    if (!(await tx.route.findUnique({ where: { id } }))) throw new NotFound(`No route ${id}. route_list shows the routes.`);
    const row = await tx.route.update({ where: { id }, data: { ...routeData(changes), updatedBy: by.id } });
    await bumpTopic(tx, 'routes');
    await audit(tx, { principal: by.id, action: 'route_update', entityType: 'route', entityId: id, detail: { changed: Object.keys(routeData(changes)) } });
    return row;
  });
  deps.feed.touch('routes');
  return toRouteView(route);
}

export async function deleteRoute(deps: Deps, by: Principal, id: string): Promise<RouteView> {
  const route = await deps.db.$transaction(async (tx) => {
    const row = await tx.route.findUnique({ where: { id } });
    if (!row) throw new NotFound(`No route ${id}. route_list shows the routes.`);
    await tx.route.delete({ where: { id } });
    await bumpTopic(tx, 'routes');
    await audit(tx, { principal: by.id, action: 'route_delete', entityType: 'route', entityId: id, detail: { intentPattern: row.intentPattern } });
    return row;
  });
  deps.feed.touch('routes');
  return toRouteView(route);
}

export const listRoutesInput = z.object({
  serverName: z.string().max(200).optional(),
  environment: environmentName.optional(),
  enabled: z.boolean().optional(),
  ...pageInput,
});

export async function listRoutes(deps: Deps, input: z.infer<typeof listRoutesInput>): Promise<{ items: RouteView[]; nextCursor?: string }> {
  const cursor = decodeCursor(input.cursor);
  const rows = await deps.db.route.findMany({
    where: {
      ...(input.serverName ? { serverName: input.serverName } : {}),
      ...(input.environment ? { environment: input.environment } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    },
    orderBy: { id: 'asc' },
    take: input.limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  const { items, nextCursor } = page(rows, input.limit);
  return { items: items.map(toRouteView), ...(nextCursor ? { nextCursor } : {}) };
}

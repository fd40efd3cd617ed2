// pack_list and pack_export: what is installed, and an installed pack written back out.
import type { z } from 'zod';
import type { Deps } from '../deps.js';
import { NotFound } from '../errors.js';
import { decodeCursor, page } from '../pagination.js';
import { packRows, policyEntry, routeEntry, serverEntry, type PackRows } from './rows.js';
import type { listInput, PackManifest, PackView } from './schema.js';

type PackRow = { id: string; name: string; version: string; manifest: unknown; installedBy: string; installedAt: Date };
type Counts = { servers: unknown[]; routes: unknown[]; policies: unknown[] } | { _count: { servers: number; routes: number; policies: number } };

export function toPackView(row: PackRow, rows: Counts): PackView {
  const counts = '_count' in rows ? rows._count : { servers: rows.servers.length, routes: rows.routes.length, policies: rows.policies.length };
  const description = (row.manifest as Partial<PackManifest>).description ?? null;
  return { id: row.id, name: row.name, version: row.version, description, installedBy: row.installedBy, installedAt: row.installedAt.toISOString(), ...counts };
}

export async function listPacks(deps: Deps, input: z.infer<typeof listInput>): Promise<{ items: PackView[]; nextCursor?: string }> {
  const cursor = decodeCursor(input.cursor);
  const rows = await deps.db.pack.findMany({
    include: { _count: { select: { servers: true, routes: true, policies: true } } },
    orderBy: { id: 'asc' },
    take: input.limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  const { items, nextCursor } = page(rows, input.limit);
  return { items: items.map((r) => toPackView(r, r)), ...(nextCursor ? { nextCursor } : {}) };
}

export function notInstalled(name: string): NotFound {
  return new NotFound(`No pack named ${name} is installed. pack_list shows the installed packs.`);
}

/**
 * The pack as its rows are now (edits included; deregistered servers left out), as a manifest
 * that pack_install takes. Secret values are written as "<secret>", as registry_export writes them.
 */
export async function exportPack(deps: Deps, name: string): Promise<PackManifest> {
  const pack = await deps.db.pack.findUnique({ where: { name } });
  if (!pack) throw notInstalled(name);
  return toManifest(pack, await packRows(deps.db, pack.id));
}

function toManifest(pack: PackRow, rows: PackRows): PackManifest {
  const { description } = pack.manifest as Partial<PackManifest>;
  return {
    name: pack.name,
    version: pack.version,
    ...(description ? { description } : {}),
    servers: rows.servers.filter((r) => r.deletedAt === null).map(serverEntry),
    routes: rows.routes.map(routeEntry),
    policies: rows.policies.map(policyEntry),
  };
}

// Replaces a server version's discovered tools with what its tools/list just said, writing only
// what differs: a periodic check of an unchanged server then costs one read and no writes.
import { Prisma, type Tx } from '../../store/index.js';
import type { UpstreamTool } from './port.js';

type Stored = { name: string; title: string | null; description: string | null; inputSchema: unknown; outputSchema: unknown; annotations: unknown };

/**
 * JSON with object keys sorted: PostgreSQL stores Json as jsonb, which reorders keys, so a plain
 * JSON.stringify would see every stored schema as changed.
 */
function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

const fingerprint = (t: Omit<Stored, 'name'>) => canonical([t.title, t.description, t.inputSchema, t.outputSchema, t.annotations]);

function toStored(tool: UpstreamTool): Stored {
  return {
    name: tool.name,
    title: tool.title ?? null,
    description: tool.description ?? null,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema ?? null,
    annotations: tool.annotations ?? null,
  };
}

/** Nullable Json columns take Prisma.DbNull, not null. */
const json = (v: unknown) => (v === null ? Prisma.DbNull : (v as Prisma.InputJsonValue));

/**
 * Deletes the tools the server no longer lists and upserts the new or changed ones. Returns the
 * tools now stored (for search text) and whether anything changed (for cache invalidation).
 */
export async function replaceDiscoveredTools(tx: Tx, serverId: string, listed: UpstreamTool[]): Promise<{ tools: Stored[]; changed: boolean }> {
  // A misbehaving server may list a name twice; the (serverId, name) key keeps the last.
  const tools = [...new Map(listed.map((t) => [t.name, toStored(t)])).values()];
  const stored = await tx.discoveredTool.findMany({
    where: { serverId },
    select: { name: true, title: true, description: true, inputSchema: true, outputSchema: true, annotations: true },
  });
  const before = new Map(stored.map((t) => [t.name, fingerprint(t)]));
  const names = new Set(tools.map((t) => t.name));
  const gone = stored.filter((t) => !names.has(t.name)).map((t) => t.name);
  const dirty = tools.filter((t) => before.get(t.name) !== fingerprint(t));

  if (gone.length > 0) await tx.discoveredTool.deleteMany({ where: { serverId, name: { in: gone } } });
  for (const t of dirty) {
    const fields = { title: t.title, description: t.description, inputSchema: t.inputSchema as Prisma.InputJsonValue, outputSchema: json(t.outputSchema), annotations: json(t.annotations) };
    await tx.discoveredTool.upsert({
      where: { serverId_name: { serverId, name: t.name } },
      create: { serverId, name: t.name, ...fields },
      update: fields,
    });
  }
  return { tools, changed: gone.length > 0 || dirty.length > 0 };
}

// Ranked full-text search over names, titles, descriptions, tags and discovered tools, on the
// index each provider has (SQLite FTS5 with bm25; PostgreSQL tsvector with ts_rank).
import { z } from 'zod';
import type { Deps } from '../deps.js';
import { Invalid } from '../errors.js';
import { pgSearchDocument } from '../../store/search-index.js';
import { tagsMatch } from './read.js';
import { healthStatus, serverStatus, serverView, transportType } from './schema.js';
import { toView, withToolCount } from './view.js';

export const searchInput = z.object({
  query: z.string().min(1).max(500).describe('Words to look for, e.g. "weather forecast"; each word also matches as a prefix.'),
  status: serverStatus.optional(),
  health: healthStatus.optional(),
  transport: transportType.optional(),
  tags: z.array(z.string().max(50)).max(20).optional(),
  tagMatch: z.enum(['all', 'any']).default('all'),
  latestOnly: z.boolean().default(false).describe('Only the latest version of each server.'),
  includeDeleted: z.boolean().default(false),
  limit: z.number().int().min(1).max(100).default(20),
});
export type SearchInput = z.infer<typeof searchInput>;

export const searchResult = z.object({
  server: serverView,
  score: z.number().describe('0–1, relative to the best match of this search (1 = best).'),
  matchedTools: z.array(z.string()).describe('Discovered tools whose name or description carries a search word.'),
});

/** Up to 10 alphanumeric terms of at most 50 characters; anything else is dropped. */
export function searchTerms(query: string): string[] {
  return [...new Set(query.toLowerCase().split(/[^\p{L}\p{N}]+/u))].filter(Boolean).slice(0, 10).map((t) => t.slice(0, 50));
}

export async function searchServers(deps: Deps, input: SearchInput): Promise<{ results: z.infer<typeof searchResult>[] }> {
  const terms = searchTerms(input.query);
  if (terms.length === 0) throw new Invalid('The query has no words to search for (letters or digits). Try a name, a capability such as "weather", or a tag.');
  const candidates = Math.min(500, input.limit * 5);
  const filters: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return deps.provider === 'postgresql' ? `$${params.length}` : '?';
  };
  const match = deps.provider === 'postgresql' ? terms.map((t) => `${t}:*`).join(' & ') : terms.map((t) => `"${t}"*`).join(' AND ');
  const matchParam = param(match);
  if (!input.includeDeleted) filters.push(`s."deletedAt" IS NULL`);
  if (input.status) filters.push(`s."status" = ${param(input.status)}`);
  if (input.health) filters.push(`s."health" = ${param(input.health)}`);
  if (input.transport) filters.push(`s."transportType" = ${param(input.transport)}`);
  if (input.latestOnly) filters.push(`s."isLatest" = ${deps.provider === 'postgresql' ? 'true' : '1'}`);
  const where = filters.map((f) => ` AND ${f}`).join('');
  const sql =
    deps.provider === 'postgresql'
      ? `SELECT s."id" AS id, ts_rank(${pgSearchDocument}, to_tsquery('simple', ${matchParam}))::float8 AS rank FROM "ServerVersion" s
         WHERE ${pgSearchDocument.replace(/"(name|title|description|searchText)"/g, 's."$1"')} @@ to_tsquery('simple', ${matchParam})${where} ORDER BY rank DESC, s."name" LIMIT ${candidates}`
      : `SELECT s."id" AS id, -bm25(server_search, 10.0, 5.0, 2.0, 1.0) AS rank FROM server_search JOIN "ServerVersion" s ON s.rowid = server_search.rowid
         WHERE server_search MATCH ${matchParam}${where} ORDER BY rank DESC, s."name" LIMIT ${candidates}`;
  const ranked = await deps.db.$queryRawUnsafe<{ id: string; rank: number }[]>(sql, ...params);
  const rows = await deps.db.serverVersion.findMany({ where: { id: { in: ranked.map((r) => r.id) } }, include: { ...withToolCount, tools: { select: { name: true, description: true } } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const kept = ranked.flatMap((r) => {
    const row = byId.get(r.id);
    return row && tagsMatch(row.tags as string[], input.tags ?? [], input.tagMatch) ? [{ row, rank: Number(r.rank) }] : [];
  });
  const best = Math.max(...kept.map((k) => k.rank), Number.MIN_VALUE);
  return {
    results: kept.slice(0, input.limit).map(({ row, rank }) => ({
      server: toView(row),
      score: Math.round((best > 0 ? rank / best : 1) * 1000) / 1000,
      matchedTools: row.tools.filter((t) => terms.some((term) => `${t.name} ${t.description ?? ''}`.toLowerCase().includes(term))).map((t) => t.name),
    })),
  };
}

// Ranked full-text search over names, titles, descriptions, tags and discovered tools, on the
// index each provider has (SQLite FTS5 with bm25; PostgreSQL tsvector with ts_rank).
import { z } from 'zod';
import type { Deps } from '../deps.js';
import { Invalid } from '../errors.js';
import { registryFilters, tagsMatch } from './read.js';
import { serverView } from './schema.js';
import { toView, withToolCount } from './view.js';

export const searchInput = z.object({
  query: z.string().min(1).max(500).describe('Words to look for, e.g. "weather forecast"; every word must match, each also as a prefix ("forec" finds "forecast").'),
  ...registryFilters,
  limit: z.number().int().min(1).max(100).default(20).describe('At most this many results, 1–100 (default 20).'),
});
export type SearchInput = z.infer<typeof searchInput>;

export const searchResult = z.object({
  server: serverView,
  score: z.number().describe('0–1, relative to the best match of this search (1 = best); not comparable across searches.'),
  matchedTools: z.array(z.string()).describe('Discovered tools whose name or description contains a search word.'),
});
export type SearchResult = z.infer<typeof searchResult>;

const MAX_TERMS = 10;
const MAX_TERM_LENGTH = 50;

/** The query as at most 10 lowercase words of letters and digits, ≤ 50 characters each. */
export function searchTerms(query: string): string[] {
  const words = query.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean).map((t) => t.slice(0, MAX_TERM_LENGTH));
  return [...new Set(words)].slice(0, MAX_TERMS);
}

// Terms hold only letters and digits, so quoting them cannot produce query syntax; the whole
// expression is still bound as a parameter, never spliced into the SQL.
const matchExpression = {
  sqlite: (terms: string[]) => terms.map((t) => `"${t}"*`).join(' AND '),
  postgresql: (terms: string[]) => terms.map((t) => `${t}:*`).join(' & '),
};

/**
 * Servers matching every word of the query, best first. Scores are normalised by the best rank of
 * the results: score = rank / best rank (SQLite rank = -bm25, PostgreSQL rank = ts_rank, both
 * positive and higher-is-better), rounded to 3 decimals.
 */
export async function searchServers(deps: Deps, input: SearchInput): Promise<{ results: SearchResult[] }> {
  const terms = searchTerms(input.query);
  if (terms.length === 0) {
    throw new Invalid('The query has no words to search for (letters or digits). Search for a name, a capability such as "weather", a tag, or a tool name; use registry_list to browse without a query.');
  }
  const tags = input.tags ?? [];
  // Tags live in a JSON column and are filtered after ranking: fetch spare candidates for them.
  const candidates = tags.length > 0 ? Math.min(500, input.limit * 5) : input.limit;
  const ranked = await rankedIds(deps, terms, input, candidates);

  const rows = await deps.db.serverVersion.findMany({
    where: { id: { in: ranked.map((r) => r.id) } },
    include: { ...withToolCount, tools: { select: { name: true, description: true }, orderBy: { name: 'asc' } } },
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const kept = ranked
    .flatMap((r) => {
      const row = byId.get(r.id);
      return row && tagsMatch(row.tags as string[], tags, input.tagMatch) ? [{ row, rank: Number(r.rank) }] : [];
    })
    .slice(0, input.limit);
  const best = Math.max(0, ...kept.map((k) => k.rank));
  return {
    results: kept.map(({ row, rank }) => ({
      server: toView(row),
      score: best > 0 ? Math.round((rank / best) * 1000) / 1000 : 1,
      matchedTools: row.tools.filter((t) => terms.some((term) => `${t.name} ${t.description ?? ''}`.toLowerCase().includes(term))).map((t) => t.name),
    })),
  };
}

type Ranked = { id: string; rank: number };

async function rankedIds(deps: Deps, terms: string[], input: SearchInput, take: number): Promise<Ranked[]> {
  const pg = deps.provider === 'postgresql';
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return pg ? `$${params.length}` : '?';
  };
  const match = param(matchExpression[deps.provider](terms));
  const filters = [
    ...(input.includeDeleted ? [] : [`s."deletedAt" IS NULL`]),
    ...(input.status ? [`s."status" = ${param(input.status)}`] : []),
    ...(input.health ? [`s."health" = ${param(input.health)}`] : []),
    ...(input.transport ? [`s."transportType" = ${param(input.transport)}`] : []),
    ...(input.latestOnly ? [`s."isLatest" = ${pg ? 'true' : '1'}`] : []),
  ];
  const where = filters.map((f) => ` AND ${f}`).join('');
  if (!pg) return sqliteRanked(deps, params, match, where, take);
  return postgresRanked(deps, params, terms, match, where, param(take));
}

// ts_rank's weight array is ordered {D, C, B, A}: the same proportions as SQLite's bm25 weights.
const rankOf = (q: string) => `ts_rank('{0.1, 0.2, 0.5, 1.0}', s."searchVector", ${q})::float8`;

/**
 * ts_rank of one word sums, over the indexed words it matches as a prefix, a share set by where
 * each occurs: a word in a name or title (weights 1.0, 0.5) gives at least 0.5 / 1.645 ≈ 0.304; one
 * only in descriptions and searchText (0.2, 0.1) gives below 0.261. A server matching nowhere in
 * its name or title thus ranks below 0.27 × the distinct indexed words the prefix matches, which
 * ServerSearchLexeme counts (up to MAX_WORDS; a prefix matching more ranks every match).
 */
const OUTSIDE_NAME_AND_TITLE = 0.27;
const MAX_WORDS = 10;

/**
 * PostgreSQL ranks every match with ts_rank. For one word it first ranks only the servers matching
 * it in their name or title, found through an index over those weights: a fraction of the matches.
 * Their `take` best are the answer when `take` survive the filters and the last of them outranks
 * every server matching elsewhere (see OUTSIDE_NAME_AND_TITLE); otherwise the same statement ranks
 * every match, as it always does for several words (ranked by proximity, with no such bound).
 */
async function postgresRanked(deps: Deps, params: unknown[], terms: string[], match: string, where: string, take: string): Promise<Ranked[]> {
  const all = `SELECT s."id" AS id, s."name" AS name, ${rankOf('q')} AS rank
     FROM "ServerVersion" s, to_tsquery('simple', ${match}) q WHERE s."searchVector" @@ q${where}`;
  const order = 'ORDER BY rank DESC, name, id DESC';
  const [term] = terms;
  if (terms.length > 1 || !term) return deps.db.$queryRawUnsafe<Ranked[]>(`SELECT id, rank FROM (${all}) m ${order} LIMIT ${take}`, ...params);
  params.push(`'${term}':*`, `${term}%`);
  const [parsed, prefix] = [`$${params.length - 1}`, `$${params.length}`];
  return deps.db.$queryRawUnsafe<Ranked[]>(
    `WITH words AS MATERIALIZED (SELECT count(*) AS n FROM (SELECT FROM "ServerSearchLexeme" WHERE "lexeme" LIKE ${prefix} LIMIT ${MAX_WORDS}) w),
     head AS MATERIALIZED (
       SELECT * FROM (SELECT s."id" AS id, s."name" AS name, ${rankOf('q')} AS rank FROM "ServerVersion" s, to_tsquery('simple', ${match}) q
         WHERE ts_filter(s."searchVector", '{a,b}') @@ q AND (SELECT n FROM words) < ${MAX_WORDS}${where}) h
       ${order} LIMIT ${take}),
     settled AS MATERIALIZED (
       SELECT to_tsquery('simple', ${match})::text = ${parsed} AND count(*) = ${take} AND min(rank) > ${OUTSIDE_NAME_AND_TITLE} * (SELECT n FROM words) AS yes
       FROM head),
     every AS MATERIALIZED (SELECT * FROM (${all}) m ${order} LIMIT ${take})
     SELECT id, rank FROM (
       SELECT * FROM head WHERE (SELECT yes FROM settled)
       UNION ALL
       SELECT * FROM every WHERE NOT (SELECT yes FROM settled)
     ) r ${order}`,
    ...params,
  );
}

/** How many FTS5 matches are ranked before the filters apply, per result wanted (see sqliteRanked). */
const OVERFETCH = 5;

/**
 * SQLite ranks inside FTS5 and joins only its best matches to ServerVersion for the filters and
 * tie-breaks: joining every match before sorting grows with the registry. First the `take × 5`
 * best: the answer is exact when that pool holds every match, or when `take` results survive the
 * filters and the last of them outranks the pool's lowest rank (a match left out ranks at most
 * that low). When the last result ties with the pool's lowest rank, matches left out may tie too
 * and win on name: join every match ranked at least that high. When too few survive the filters,
 * rank every match.
 */
async function sqliteRanked(deps: Deps, params: unknown[], match: string, where: string, take: number): Promise<Ranked[]> {
  const [matchValue, ...filterValues] = params;
  const scored = `SELECT rowid, -bm25(server_search, 10.0, 5.0, 2.0, 1.0) AS score FROM server_search WHERE server_search MATCH ${match}`;
  const run = (candidates: string, ...bound: unknown[]) =>
    deps.db.$queryRawUnsafe<(Ranked & { pooled: number; floor: number })[]>(
      `WITH top AS MATERIALIZED (${candidates})
       SELECT s."id" AS id, top.score AS rank, (SELECT count(*) FROM top) AS pooled, (SELECT min(score) FROM top) AS floor
       FROM top JOIN "ServerVersion" s ON s.rowid = top.rowid WHERE 1${where}
       ORDER BY top.score DESC, s."name", s."id" DESC LIMIT ?`,
      matchValue, ...bound, ...filterValues, take,
    );
  const pool = take * OVERFETCH;
  const rows = await run(`${scored} ORDER BY score DESC LIMIT ?`, pool);
  const last = rows.at(-1);
  let ranked = rows;
  if (rows.length === take && last && last.rank === last.floor && Number(last.pooled) === pool) {
    ranked = await run(`SELECT rowid, score FROM (${scored}) WHERE score >= ?`, last.floor);
  } else if (!last || (rows.length < take && Number(last.pooled) === pool)) {
    ranked = await run(scored);
  }
  return ranked.map(({ id, rank }) => ({ id, rank }));
}

// registry_search and registry_stats. Neither has a `target`: like registry_list they act on no
// single server, and a query string is not a resource a policy could meaningfully name.
import { z } from 'zod';
import { searchInput, searchResult, searchServers, type SearchResult } from '../domain/registry/search.js';
import { registryStats, registryStatsView, type RegistryStats } from '../domain/registry/stats.js';
import { defineTool, readOnly } from './tool.js';

const resultLine = (r: SearchResult) =>
  `${r.server.name}@${r.server.version} (score ${r.score}) [${r.server.status}, ${r.server.health.status}]${r.server.title ? ` — ${r.server.title}` : ''}${r.matchedTools.length ? `; tools: ${r.matchedTools.join(', ')}` : ''}`;

const counts = (c: Record<string, number>) => Object.entries(c).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';

function statsText(s: RegistryStats): string {
  const { missing, cycles } = s.dependencyProblems;
  return [
    `${s.servers} servers, ${s.versions} versions (${s.deletedVersions} deregistered versions not counted).`,
    `Status: ${counts(s.byStatus)}. Health: ${counts(s.byHealth)}. Transport: ${counts(s.byTransport)}.`,
    `Stale (active, not seen within ${s.staleAfterMs} ms): ${s.stale.map((x) => `${x.name}@${x.version}`).join(', ') || 'none'}.`,
    `Missing dependencies: ${missing.map((m) => `${m.dependent}@${m.version} needs ${m.dependency} ${m.range}`).join('; ') || 'none'}.`,
    `Dependency cycles: ${cycles.map((c) => c.join(' ↔ ')).join('; ') || 'none'}.`,
  ].join('\n');
}

export const registryDiscoveryTools = [
  defineTool({
    name: 'registry_search',
    title: 'Search registered servers',
    description:
      'Finds registered servers by what they are or do: ranked full-text search over names, titles, descriptions, tags and the names and descriptions of their discovered tools, with optional filters (status, health, transport, tags all/any). Every word of the query must match, each also as a prefix; name matches rank above title, description and tag matches. Use it to pick a server before route_create or invoke; use registry_list to browse without a query. Returns the best matches first, each with a score (1 = the best match of this search) and the discovered tools that matched.',
    input: searchInput,
    output: z.object({ results: z.array(searchResult) }),
    annotations: readOnly,
    async run(args, ctx) {
      const { results } = await searchServers(ctx.app.deps, args);
      const none = `No servers match "${args.query}". Try fewer or shorter words, drop filters, or pass includeDeleted: true.`;
      return { data: { results }, text: results.length ? results.map(resultLine).join('\n') : none };
    },
  }),
  defineTool({
    name: 'registry_stats',
    title: 'Registry statistics',
    description:
      'Summarises the registry: servers and versions, counts by status, health and transport, stale servers (active but not seen within the configured window), and dependency problems (dependencies with no active version in range, and dependency cycles). Use it for an overview of the fleet or to find what needs attention; registry_get shows one server in detail.',
    input: z.object({}),
    output: registryStatsView,
    annotations: readOnly,
    async run(_args, ctx) {
      const stats = await registryStats(ctx.app.deps);
      return { data: stats, text: statsText(stats) };
    },
  }),
];

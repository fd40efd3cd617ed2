import { z } from 'zod';
import { searchInput, searchResult, searchServers } from '../domain/registry/search.js';
import { registryStats, registryStatsView } from '../domain/registry/stats.js';
import { defineTool, readOnly } from './tool.js';

export const registryDiscoveryTools = [
  defineTool({
    name: 'registry_search',
    title: 'Search registered servers',
    description:
      'Finds registered servers by what they are or do: ranked full-text search over names, titles, descriptions, tags and the names and descriptions of their discovered tools, with optional filters (status, health, transport, tags all/any). Use it before route_create or invoke to find the right server. Returns servers with a relative score and the tools that matched.',
    input: searchInput,
    output: z.object({ results: z.array(searchResult) }),
    annotations: readOnly,
    target: (a) => a.query,
    async run(args, ctx) {
      const { results } = await searchServers(ctx.app.deps, args);
      const text = results.map((r) => `${r.server.name}@${r.server.version} (${r.score})${r.server.title ? ` — ${r.server.title}` : ''}${r.matchedTools.length ? ` tools: ${r.matchedTools.join(', ')}` : ''}`).join('\n');
      return { data: { results }, text: text || `No servers match "${args.query}".` };
    },
  }),
  defineTool({
    name: 'registry_stats',
    title: 'Registry statistics',
    description:
      'Summarises the registry: servers and versions, counts by status, health and transport, stale servers (active but not seen within the configured window), and dependency problems (dependencies with no active version in range, and dependency cycles). Use it for a health overview of the fleet.',
    input: z.object({}),
    output: registryStatsView,
    annotations: readOnly,
    async run(_args, ctx) {
      const s = await registryStats(ctx.app.deps);
      const text = `${s.servers} servers, ${s.versions} versions (${s.deletedVersions} deregistered); ${s.stale.length} stale; ${s.dependencyProblems.missing.length} missing dependencies; ${s.dependencyProblems.cycles.length} cycles`;
      return { data: s, text };
    },
  }),
];

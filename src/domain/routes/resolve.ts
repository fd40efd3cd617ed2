// route_resolve: which server, version and tool handle an intent (DESIGN.md "Route resolution").
import { closest } from 'fastest-levenshtein';
import type { DomainCache } from '../cache.js';

type RoutingCache = Pick<DomainCache, 'routeTable' | 'serversByName' | 'discoveredTools'>;
import { NotFound } from '../errors.js';
import type { Principal } from '../principal.js';
import { bestTool } from './fallback.js';
import { rankRoutes, whyLower } from './rank.js';
import type { Resolution, ResolveInput } from './schema.js';
import { pickVersion } from './versions.js';

export async function resolveRoute(cache: RoutingCache, principal: Principal, input: ResolveInput): Promise<Resolution> {
  const { intent, environment, version } = input;
  const table = await cache.routeTable();
  const servers = await cache.serversByName();
  const explanation: string[] = [];

  const matching = table.match(intent);
  const candidates = matching.filter((r) => r.environment === '*' || r.environment === environment);
  for (const r of matching) if (!candidates.includes(r)) explanation.push(`route ${r.id} (${r.intentPattern} @${r.environment}) skipped: it serves environment ${r.environment}, not ${environment ?? '(none)'}`);
  explanation.unshift(`1. candidates: ${candidates.length} enabled route(s) match ${intent} in ${environment ?? 'no particular environment'}`);

  const { ordered, notes } = rankRoutes(candidates, environment, principal.id, intent);
  explanation.push(`2. order: ${ordered.map((r) => `${r.id} (${r.intentPattern} @${r.environment}, priority ${r.priority})`).join(' > ') || 'none'}`);
  explanation.push(...notes.map((n) => `3. ${n}`));

  for (const [i, route] of ordered.entries()) {
    const picked = pickVersion(servers.get(route.serverName) ?? [], route.versionRange, version);
    if (!picked.chosen) {
      const why = picked.rejected.length ? picked.rejected.join('; ') : `no registered version of ${route.serverName}`;
      explanation.push(`5. failover: route ${route.id} → ${route.serverName} has no eligible version (${why}); trying the next route`);
      continue;
    }
    const server = picked.chosen;
    explanation.push(`4. route ${route.id} → ${server.name}@${server.version} (${server.health})${picked.rejected.length ? `; not chosen: ${picked.rejected.join('; ')}` : ''}`);
    for (const loser of ordered.slice(i + 1)) explanation.push(`   route ${loser.id} lost: ${whyLower(loser, route, environment)}`);
    return {
      intent,
      environment: environment ?? null,
      server: server.name,
      version: server.version,
      transport: { type: server.transportType, summary: server.transportSummary },
      tool: route.toolName,
      routeId: route.id,
      fallback: false,
      explanation,
    };
  }

  const tools = (await cache.discoveredTools()).filter((t) => pickVersion([t.server], '*', version).chosen);
  const best = bestTool(intent, tools);
  if (best) {
    const { tool, score } = best;
    explanation.push(`6. fallback: no route served ${intent}; discovered tool ${tool.serverName}/${tool.name} matches its words with score ${score.toFixed(2)}`);
    return {
      intent,
      environment: environment ?? null,
      server: tool.serverName,
      version: tool.serverVersion,
      transport: { type: tool.server.transportType, summary: tool.server.transportSummary },
      tool: tool.name,
      routeId: null,
      fallback: true,
      score,
      explanation,
    };
  }

  const suggestions = suggest(intent, table.patterns);
  throw new NotFound(
    `No route or discovered tool handles ${intent}${environment ? ` in ${environment}` : ''}.${suggestions.length ? ` Closest known intents: ${suggestions.join(', ')}.` : ''} Create one with route_create, or register a server whose tools match.`,
    { explanation },
  );
}

/** Up to three known patterns nearest to the intent by edit distance. */
function suggest(intent: string, patterns: string[]): string[] {
  const left = [...patterns];
  const out: string[] = [];
  while (out.length < 3 && left.length > 0) {
    const next = closest(intent, left);
    out.push(next);
    left.splice(left.indexOf(next), 1);
  }
  return out;
}

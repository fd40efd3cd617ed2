// In-memory views the hot path reads (policies, route table, servers, discovered tools), loaded on
// first use and dropped when the change feed says their topic changed — here or in another process.
import type { ApiKey, Db } from '../store/index.js';
import type { ChangeFeed } from './change-feed.js';
import { compilePolicies, type PolicyEvaluator } from './policy/evaluate.js';
import type { Policy } from './policy/schema.js';
import { toPolicy } from './policy/store.js';
import type { ToolCandidate } from './routes/fallback.js';
import { compileRouteTable, type RouteTable } from './routes/table.js';
import type { ServerCandidate } from './routes/versions.js';
import type { Callable } from './upstream/callable.js';

export interface DomainCache {
  policies(): Promise<Policy[]>;
  policyEvaluator(): Promise<PolicyEvaluator>;
  routeTable(): Promise<RouteTable>;
  serversByName(): Promise<Map<string, ServerCandidate[]>>;
  discoveredTools(): Promise<ToolCandidate[]>;
  /** Per server version (`name@version`), filled on first call; emptied when the registry changes. */
  callables(): Promise<Map<string, Promise<Callable>>>;
  /** API key rows by hash, filled as keys are used; emptied when any key changes. */
  apiKeys(): Promise<Map<string, ApiKey>>;
}

function summary(type: string, transport: Record<string, unknown>): string {
  return type === 'stdio' ? [transport.command, ...((transport.args as string[]) ?? [])].join(' ') : String(transport.url);
}

export function createDomainCache(db: Db, feed: ChangeFeed): DomainCache {
  const serversByName = feed.cached('servers', async () => {
    const rows = await db.serverVersion.findMany({
      where: { deletedAt: null },
      select: { name: true, version: true, status: true, health: true, transportType: true, transport: true, tags: true },
    });
    const byName = new Map<string, ServerCandidate[]>();
    for (const row of rows) {
      const candidate: ServerCandidate = {
        name: row.name,
        version: row.version,
        status: row.status,
        health: row.health,
        transportType: row.transportType,
        transportSummary: summary(row.transportType, row.transport as Record<string, unknown>),
        tags: row.tags as string[],
      };
      byName.set(row.name, [...(byName.get(row.name) ?? []), candidate]);
    }
    return byName;
  });

  const policies = feed.cached('policies', async () => (await db.policy.findMany({ orderBy: { id: 'asc' } })).map(toPolicy));

  return {
    policies,
    policyEvaluator: feed.cached('policies', async () => compilePolicies(await policies())),
    routeTable: feed.cached('routes', async () => compileRouteTable(await db.route.findMany({ where: { enabled: true } }))),
    serversByName,
    callables: feed.cached('servers', async () => new Map<string, Promise<Callable>>()),
    apiKeys: feed.cached('keys', async () => new Map<string, ApiKey>()),
    discoveredTools: feed.cached('servers', async () => {
      const servers = await serversByName();
      const rows = await db.discoveredTool.findMany({
        where: { server: { deletedAt: null, isLatest: true } },
        select: { name: true, description: true, server: { select: { name: true, version: true } } },
      });
      return rows.flatMap((row) => {
        const server = servers.get(row.server.name)?.find((s) => s.version === row.server.version);
        return server ? [{ serverName: server.name, serverVersion: server.version, name: row.name, description: row.description, tags: server.tags, server }] : [];
      });
    }),
  };
}

// Turns a stored server row into what callers see: secrets masked, health scored, dates as ISO.
import type { ServerVersion } from '../../store/index.js';
import { MASK } from '../secrets.js';
import type { ServerView } from './schema.js';

type Row = ServerVersion & { _count?: { tools: number } };
type SecretKeys = { env?: string[]; headers?: string[] };

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const masked = (names: string[] | undefined) => Object.fromEntries((names ?? []).map((n) => [n, MASK]));

/**
 * 0–100: the status sets the ceiling, the success ratio of all checks scales it, and a slow
 * response (over 1 s) costs up to 20 points.
 */
export function healthScore(row: Pick<ServerVersion, 'health' | 'successCount' | 'failureCount' | 'responseTimeMs'>): number {
  const ceiling = { healthy: 100, degraded: 60, unhealthy: 10, unknown: 50 }[row.health] ?? 50;
  const total = row.successCount + row.failureCount;
  const ratio = total === 0 ? 1 : row.successCount / total;
  const slowPenalty = row.responseTimeMs ? Math.min(20, Math.max(0, (row.responseTimeMs - 1000) / 100)) : 0;
  return Math.max(0, Math.round(ceiling * ratio - slowPenalty));
}

export function toView(row: Row): ServerView {
  const transport = row.transport as Record<string, unknown>;
  const keys = row.secretKeys as SecretKeys;
  const view: ServerView['transport'] =
    row.transportType === 'stdio'
      ? { type: 'stdio', command: transport.command as string, args: (transport.args as string[]) ?? [], env: masked(keys.env), ...(transport.cwd ? { cwd: transport.cwd as string } : {}) }
      : { type: row.transportType as 'sse' | 'streamable-http', url: transport.url as string, headers: masked(keys.headers) };
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    title: row.title,
    description: row.description,
    status: row.status as ServerView['status'],
    isLatest: row.isLatest,
    deletedAt: iso(row.deletedAt),
    transport: view,
    repositoryUrl: row.repositoryUrl,
    websiteUrl: row.websiteUrl,
    tags: row.tags as string[],
    priority: row.priority as ServerView['priority'],
    isRequired: row.isRequired,
    dependencies: row.dependencies as ServerView['dependencies'],
    metadata: row.metadata as Record<string, unknown>,
    source: row.source,
    packId: row.packId,
    costPerCall: row.costPerCall,
    costPerUnit: row.costPerUnit,
    createdBy: row.createdBy,
    updatedBy: row.updatedBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    health: {
      status: row.health as ServerView['health']['status'],
      score: healthScore(row),
      lastCheckedAt: iso(row.lastCheckedAt),
      lastSeenAt: iso(row.lastSeenAt),
      lastError: row.lastError,
      responseTimeMs: row.responseTimeMs,
      successCount: row.successCount,
      failureCount: row.failureCount,
    },
    toolCount: row._count?.tools ?? 0,
  };
}

export const withToolCount = { _count: { select: { tools: true } } } as const;

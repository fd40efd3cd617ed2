// Health checks (DESIGN.md "Upstream calls"): connect, ping and list tools through deps.upstream,
// then record the outcome on the server version — health, counters, discovered tools, search text.
import { z } from 'zod';
import { Prisma } from '../../store/index.js';
import { bumpTopic } from '../change-feed.js';
import type { Deps } from '../deps.js';
import { Invalid, NotFound } from '../errors.js';
import { healthStatus } from '../registry/schema.js';
import { searchTextFor } from '../registry/search-text.js';
import { replaceDiscoveredTools } from './discovered-tools.js';
import { endpointFields, toEndpoint } from './endpoint.js';
import { CHECK_CONCURRENCY, forEachLimited } from './limited.js';
import type { UpstreamTool } from './port.js';

export const healthCheckResult = z.object({
  name: z.string(),
  version: z.string(),
  ok: z.boolean().describe('Whether the server answered: connected, pinged and listed its tools in time.'),
  health: healthStatus.describe('Health after this check.'),
  previousHealth: healthStatus.describe('Health before this check.'),
  responseTimeMs: z.number().nullable().describe('How long the check took; null when it failed.'),
  toolCount: z.number().describe('Discovered tools now stored (a failed check keeps the previous ones).'),
  error: z.string().nullable().describe('Why the check failed, redacted; null when it succeeded.'),
});
export type HealthCheckResult = z.infer<typeof healthCheckResult>;
type Health = HealthCheckResult['health'];

const MAX_ERROR_CHARS = 1000;

type Outcome = { ok: true; tools: UpstreamTool[]; responseTimeMs: number } | { ok: false; error: string };

/** Probes one server version and records the outcome; a failed probe is a result, not an error. */
export async function checkServer(deps: Deps, serverId: string): Promise<HealthCheckResult> {
  const row = await deps.db.serverVersion.findUnique({ where: { id: serverId }, select: endpointFields });
  if (!row) throw gone(serverId);
  const started = performance.now();
  let outcome: Outcome;
  try {
    const tools = await deps.upstream.probe(toEndpoint(deps, row), deps.settings.health.timeoutMs);
    outcome = { ok: true, tools, responseTimeMs: Math.round(performance.now() - started) };
  } catch (error) {
    outcome = { ok: false, error: errorText(deps, error) };
  }
  const recorded = await record(deps, serverId, outcome);
  if (recorded.changed) deps.feed.touch('servers');
  return {
    name: row.name,
    version: row.version,
    ok: outcome.ok,
    health: recorded.health,
    previousHealth: recorded.previous,
    responseTimeMs: outcome.ok ? outcome.responseTimeMs : null,
    toolCount: recorded.toolCount,
    error: outcome.ok ? null : outcome.error,
  };
}

/** A failure moves health down only once enough checks in a row have failed. */
export function healthAfterFailures(previous: Health, consecutiveFailures: number, limits: Deps['settings']['health']): Health {
  if (consecutiveFailures >= limits.unhealthyAfter) return 'unhealthy';
  if (consecutiveFailures >= limits.degradedAfter) return 'degraded';
  return previous;
}

async function record(deps: Deps, id: string, outcome: Outcome): Promise<{ previous: Health; health: Health; changed: boolean; toolCount: number }> {
  const now = deps.clock();
  return deps.db.$transaction(async (tx) => {
    // Raw SQL for the counters: a check is not an edit of the entry, so Prisma's @updatedAt must
    // not move. Writing first also locks the row (PostgreSQL) or the database (SQLite) before
    // anything is read, so concurrent checks of one server serialise instead of losing counts.
    const touched = outcome.ok
      ? await tx.$executeRaw`UPDATE "ServerVersion" SET "lastCheckedAt" = ${now}, "lastSeenAt" = ${now}, "lastError" = NULL,
          "responseTimeMs" = ${outcome.responseTimeMs}, "successCount" = "successCount" + 1, "consecutiveFailures" = 0 WHERE "id" = ${id}`
      : await tx.$executeRaw`UPDATE "ServerVersion" SET "lastCheckedAt" = ${now}, "lastError" = ${outcome.error},
          "failureCount" = "failureCount" + 1, "consecutiveFailures" = "consecutiveFailures" + 1 WHERE "id" = ${id}`;
    if (touched === 0) throw gone(id);
    const row = await tx.serverVersion.findUniqueOrThrow({
      where: { id },
      select: { name: true, tags: true, health: true, searchText: true, consecutiveFailures: true, updatedAt: true },
    });
    const previous = row.health as Health;
    let health = previous;
    let searchText = row.searchText;
    let toolsChanged = false;
    if (outcome.ok) {
      health = 'healthy';
      const replaced = await replaceDiscoveredTools(tx, id, outcome.tools);
      toolsChanged = replaced.changed;
      searchText = searchTextFor(row.tags as string[], replaced.tools, row.name);
    } else {
      health = healthAfterFailures(previous, row.consecutiveFailures, deps.settings.health);
    }
    if (health !== previous || searchText !== row.searchText) {
      await tx.serverVersion.update({ where: { id }, data: { health, searchText, updatedAt: row.updatedAt } });
    }
    // Routing caches rank versions by health and fall back over discovered tools; counters and
    // timestamps change on every check and must not make every process reload them.
    const changed = health !== previous || toolsChanged;
    if (changed) await bumpTopic(tx, 'servers');
    const toolCount = outcome.ok ? new Set(outcome.tools.map((t) => t.name)).size : await tx.discoveredTool.count({ where: { serverId: id } });
    return { previous, health, changed, toolCount };
  });
}

/** The upstream's error as the model and the log may see it: redacted, then bounded. */
function errorText(deps: Pick<Deps, 'redactor'>, error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  // Bound the input to the scanner too; redact before cutting, so no secret is cut in half unseen.
  const redacted = deps.redactor.redactString(message.slice(0, 20 * MAX_ERROR_CHARS)).value;
  return redacted.length > MAX_ERROR_CHARS ? `${redacted.slice(0, MAX_ERROR_CHARS - 1)}…` : redacted;
}

function gone(id: string): NotFound {
  return new NotFound(`Server version ${id} no longer exists; it was removed while being checked. registry_list shows what is registered.`);
}

export type CheckFilter = { name?: string; version?: string };

/**
 * Checks one version, every version of one name, or every active server (not deregistered, not
 * disabled), a few at a time; onProgress hears after each. A version named explicitly is checked
 * even when disabled: the caller may want to know before enabling it again.
 */
export async function checkServers(
  deps: Deps,
  filter: CheckFilter,
  onProgress?: (done: number, total: number, message: string) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<HealthCheckResult[]> {
  if (filter.version && !filter.name) throw new Invalid('version needs name: pass the server name too, or neither to check every active server.');
  const where: Prisma.ServerVersionWhereInput = {
    deletedAt: null,
    ...(filter.name ? { name: filter.name } : {}),
    ...(filter.version ? { version: filter.version } : { status: { not: 'disabled' } }),
  };
  const targets = await deps.db.serverVersion.findMany({ where, select: { id: true }, orderBy: [{ name: 'asc' }, { id: 'desc' }] });
  if (targets.length === 0 && filter.name) throw await nothingToCheck(deps, filter);

  const results = new Map<string, HealthCheckResult>();
  await forEachLimited(
    targets,
    CHECK_CONCURRENCY,
    async ({ id }) => {
      const result = await checkServer(deps, id);
      results.set(id, result);
      await onProgress?.(results.size, targets.length, `${result.name}@${result.version}: ${result.health}`);
    },
    signal,
  );
  return targets.flatMap(({ id }) => results.get(id) ?? []);
}

async function nothingToCheck(deps: Deps, filter: CheckFilter): Promise<NotFound> {
  const known = await deps.db.serverVersion.findMany({ where: { name: filter.name!, deletedAt: null }, select: { version: true, status: true } });
  if (known.length === 0) return new NotFound(`No server named ${filter.name} is registered. Use registry_search or registry_list to find one.`);
  if (filter.version) return new NotFound(`${filter.name} has no version ${filter.version}. Known versions: ${known.map((k) => k.version).join(', ')}.`);
  return new NotFound(`Every version of ${filter.name} is disabled, so none was checked. Name a version to check it anyway, or enable one with registry_update.`);
}

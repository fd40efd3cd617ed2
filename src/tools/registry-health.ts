// registry_check_health: on-demand health checks, the same ones the scheduler runs periodically.
import { z } from 'zod';
import { checkServers, healthCheckResult, type HealthCheckResult } from '../domain/upstream/health.js';
import { semverVersion, serverName } from '../domain/registry/schema.js';
import { defineTool } from './tool.js';

function resultLine(r: HealthCheckResult): string {
  const change = r.health === r.previousHealth ? r.health : `${r.previousHealth} → ${r.health}`;
  const detail = r.ok ? `${r.responseTimeMs} ms, ${r.toolCount} tools` : `failed: ${r.error}`;
  return `${r.name}@${r.version}: ${change} (${detail})`;
}

function summary(results: HealthCheckResult[]): string {
  if (results.length === 0) return 'No active servers to check.';
  const failed = results.filter((r) => !r.ok).length;
  const head = `Checked ${results.length} server version${results.length === 1 ? '' : 's'}: ${results.length - failed} answered, ${failed} failed.`;
  return [head, ...results.map(resultLine)].join('\n');
}

export const registryHealthTools = [
  defineTool({
    name: 'registry_check_health',
    title: 'Check server health now',
    description:
      'Health-checks registered servers now: connects to each, pings it and lists its tools, then records health (healthy, or degraded/unhealthy after repeated failures), response time and last error, and stores the discovered tools so registry_search and route_resolve can find them. Give name (and optionally version) for one server, or nothing to check every active server (with progress notifications). Use it after registering a server, or to see whether one is reachable before routing to it; checks also run periodically. Returns one result per version: ok, health before and after, response time, tool count and the error if it failed.',
    input: z.object({
      name: serverName.optional().describe('Check only this server; omit to check every active server.'),
      version: semverVersion.optional().describe('Check only this version of name (even if disabled); omit for all its active versions.'),
    }),
    output: z.object({ results: z.array(healthCheckResult) }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    target: (a) => a.name ?? '**',
    async run(args, ctx) {
      const results = await checkServers(ctx.app.deps, args, (done, total, message) => ctx.progress(done, total, message), ctx.signal);
      return { data: { results }, text: summary(results) };
    },
  }),
];

// What an operator asks of the registry as a whole: how many, in what state, what is stale, and
// which dependencies are missing or circular.
import semver from 'semver';
import { z } from 'zod';
import type { Deps } from '../deps.js';

const counts = z.record(z.string(), z.number());

export const registryStatsView = z.object({
  servers: z.number().describe('Distinct server names with at least one registered version.'),
  versions: z.number(),
  deletedVersions: z.number(),
  byStatus: counts,
  byHealth: counts,
  byTransport: counts,
  staleAfterMs: z.number(),
  stale: z.array(z.object({ name: z.string(), version: z.string(), lastSeenAt: z.string().nullable() })).describe('Active versions not seen within staleAfterMs.'),
  dependencyProblems: z.object({
    missing: z.array(z.object({ server: z.string(), version: z.string(), dependency: z.string(), range: z.string() })),
    cycles: z.array(z.array(z.string())).describe('Cycles among the latest versions, each as the names around it.'),
  }),
});
export type RegistryStats = z.infer<typeof registryStatsView>;

type Dependency = { name: string; range?: string };

export async function registryStats(deps: Deps): Promise<RegistryStats> {
  const rows = await deps.db.serverVersion.findMany({
    select: { name: true, version: true, status: true, health: true, transportType: true, deletedAt: true, lastSeenAt: true, isLatest: true, dependencies: true },
  });
  const live = rows.filter((r) => !r.deletedAt);
  const tally = (key: 'status' | 'health' | 'transportType') => live.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r[key]]: (acc[r[key]] ?? 0) + 1 }), {});
  const cutoff = deps.clock().getTime() - deps.settings.staleAfterMs;
  const active = live.filter((r) => r.status === 'active');

  const missing = live.flatMap((r) =>
    (r.dependencies as Dependency[]).flatMap((d) => {
      const range = d.range ?? '*';
      const found = active.some((a) => a.name === d.name && semver.satisfies(a.version, range));
      return found ? [] : [{ server: r.name, version: r.version, dependency: d.name, range }];
    }),
  );

  return {
    servers: new Set(live.map((r) => r.name)).size,
    versions: live.length,
    deletedVersions: rows.length - live.length,
    byStatus: tally('status'),
    byHealth: tally('health'),
    byTransport: tally('transportType'),
    staleAfterMs: deps.settings.staleAfterMs,
    stale: active.filter((r) => !r.lastSeenAt || r.lastSeenAt.getTime() < cutoff).map((r) => ({ name: r.name, version: r.version, lastSeenAt: r.lastSeenAt?.toISOString() ?? null })),
    dependencyProblems: { missing, cycles: findCycles(new Map(live.filter((r) => r.isLatest).map((r) => [r.name, (r.dependencies as Dependency[]).map((d) => d.name)]))) },
  };
}

/** Each elementary cycle once, found by depth-first search from every name (graphs here are small). */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles = new Map<string, string[]>();
  const visit = (start: string, at: string, path: string[]) => {
    for (const next of graph.get(at) ?? []) {
      if (next === start) {
        // Rotate so the smallest name leads: the same cycle found from another start is one key.
        const lead = path.indexOf([...path].sort()[0]!);
        const cycle = [...path.slice(lead), ...path.slice(0, lead)];
        cycles.set(cycle.join('>'), cycle);
      } else if (!path.includes(next) && next > start) visit(start, next, [...path, next]);
    }
  };
  for (const name of [...graph.keys()].sort()) visit(name, name, [name]);
  return [...cycles.values()];
}

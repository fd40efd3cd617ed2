// What an operator asks of the registry as a whole: how many, in what state, what is stale, and
// which dependencies are missing or circular.
import semver from 'semver';
import { z } from 'zod';
import type { Deps } from '../deps.js';

const counts = z.record(z.string(), z.number());

export const registryStatsView = z.object({
  servers: z.number().describe('Distinct server names with at least one version that is not deregistered.'),
  versions: z.number().describe('Versions that are not deregistered.'),
  deletedVersions: z.number(),
  byStatus: counts.describe('Versions (not deregistered) per status.'),
  byHealth: counts.describe('Versions (not deregistered) per health status.'),
  byTransport: counts.describe('Versions (not deregistered) per transport type.'),
  staleAfterMs: z.number(),
  stale: z
    .array(z.object({ name: z.string(), version: z.string(), lastSeenAt: z.string().nullable() }))
    .describe('Active versions never seen, or not seen within staleAfterMs.'),
  dependencyProblems: z.object({
    missing: z
      .array(z.object({ dependent: z.string(), version: z.string(), dependency: z.string(), range: z.string() }))
      .describe('A dependency of dependent@version with no active, registered version satisfying range.'),
    cycles: z
      .array(z.array(z.string()))
      .describe('Groups of servers (latest versions) that depend on each other in a cycle, names sorted; a server depending on itself is a group of one.'),
  }),
});
export type RegistryStats = z.infer<typeof registryStatsView>;

type Dependency = { name: string; range?: string };

export async function registryStats(deps: Deps): Promise<RegistryStats> {
  const db = deps.db.serverVersion;
  const live = { deletedAt: null };
  const cutoff = new Date(deps.clock().getTime() - deps.settings.staleAfterMs);
  const [byStatus, byHealth, byTransport, names, versions, deletedVersions, stale, graph] = await Promise.all([
    db.groupBy({ by: ['status'], where: live, _count: { _all: true } }),
    db.groupBy({ by: ['health'], where: live, _count: { _all: true } }),
    db.groupBy({ by: ['transportType'], where: live, _count: { _all: true } }),
    db.groupBy({ by: ['name'], where: live }),
    db.count({ where: live }),
    db.count({ where: { deletedAt: { not: null } } }),
    db.findMany({
      where: { ...live, status: 'active', OR: [{ lastSeenAt: null }, { lastSeenAt: { lt: cutoff } }] },
      select: { name: true, version: true, lastSeenAt: true },
      orderBy: [{ name: 'asc' }, { version: 'asc' }],
    }),
    db.findMany({ where: live, select: { name: true, version: true, status: true, isLatest: true, dependencies: true }, orderBy: [{ name: 'asc' }, { version: 'asc' }] }),
  ]);
  const tally = <K extends string>(groups: ({ _count: { _all: number } } & Record<K, string>)[], key: K) =>
    Object.fromEntries(groups.map((g) => [g[key], g._count._all]));

  return {
    servers: names.length,
    versions,
    deletedVersions,
    byStatus: tally(byStatus, 'status'),
    byHealth: tally(byHealth, 'health'),
    byTransport: tally(byTransport, 'transportType'),
    staleAfterMs: deps.settings.staleAfterMs,
    stale: stale.map((r) => ({ name: r.name, version: r.version, lastSeenAt: r.lastSeenAt?.toISOString() ?? null })),
    dependencyProblems: {
      missing: missingDependencies(graph),
      cycles: dependencyCycles(new Map(graph.filter((r) => r.isLatest).map((r) => [r.name, (r.dependencies as Dependency[]).map((d) => d.name)]))),
    },
  };
}

function missingDependencies(rows: { name: string; version: string; status: string; dependencies: unknown }[]): RegistryStats['dependencyProblems']['missing'] {
  const active = new Map<string, string[]>();
  for (const r of rows.filter((r) => r.status === 'active')) active.set(r.name, [...(active.get(r.name) ?? []), r.version]);
  return rows.flatMap((r) =>
    (r.dependencies as Dependency[]).flatMap((d) => {
      const candidates = active.get(d.name) ?? [];
      // No range means any version, prereleases included (semver's '*' would skip those).
      const found = d.range === undefined ? candidates.length > 0 : candidates.some((v) => semver.satisfies(v, d.range!));
      return found ? [] : [{ dependent: r.name, version: r.version, dependency: d.name, range: d.range ?? '*' }];
    }),
  );
}

/**
 * The strongly connected groups of the graph that contain a cycle (Tarjan, linear time): one
 * entry per tangle rather than every elementary cycle through it, which can be exponentially many.
 */
export function dependencyCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const connect = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of new Set(graph.get(v) ?? [])) {
      if (!graph.has(w)) continue; // a dependency with no latest version is "missing", not a cycle
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || graph.get(v)!.includes(v)) groups.push(group.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  return groups.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

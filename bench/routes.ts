// route_resolve p50 with 100 routes vs 100,000 routes, on the compiled in-memory table (what
// every call uses after the first). Target: ratio ≤ 2.
import { fileURLToPath } from 'node:url';
import type { Route } from '../src/store/index.js';
import type { DomainCache } from '../src/domain/cache.js';
import { resolveRoute } from '../src/domain/routes/resolve.js';
import { compileRouteTable } from '../src/domain/routes/table.js';
import type { ServerCandidate } from '../src/domain/routes/versions.js';
import { median, percentile, round } from './stats.js';

const verbs = ['create', 'get', 'list', 'update', 'delete', 'cancel', 'approve', 'export'];

function routes(n: number): Route[] {
  const now = new Date();
  return Array.from({ length: n }, (_, i) => {
    // 20 routes per area at every size, so an intent meets the same number of candidates.
    const area = `svc${Math.floor(i / 20)}`;
    const shape = i % 10;
    const pattern = shape === 0 ? `${area}.**` : shape === 1 ? `${area}.*.${verbs[i % 8]}` : `${area}.thing${i}.${verbs[i % 8]}`;
    return {
      id: `r${i}`, intentPattern: pattern, environment: i % 3 === 0 ? '*' : 'prod', serverName: `server${i % 50}`, versionRange: '*', toolName: 'tool',
      priority: i % 5, weight: null, enabled: true, description: null, costPerCall: null, costPerUnit: null, source: 'manual', packId: null,
      createdBy: 'bench', updatedBy: 'bench', createdAt: now, updatedAt: now,
    } satisfies Route;
  });
}

function cacheFor(table: Route[]): Pick<DomainCache, 'routeTable' | 'serversByName' | 'discoveredTools'> {
  const compiled = compileRouteTable(table);
  const servers = new Map<string, ServerCandidate[]>();
  for (let s = 0; s < 50; s++) {
    servers.set(`server${s}`, ['1.0.0', '1.1.0', '2.0.0'].map((version) => ({ name: `server${s}`, version, status: 'active', health: 'healthy', transportType: 'stdio', transportSummary: 'node x', tags: [] })));
  }
  return { routeTable: async () => compiled, serversByName: async () => servers, discoveredTools: async () => [] };
}

function setup(n: number) {
  const table = routes(n);
  const intents = table.slice(0, 200).map((r) => r.intentPattern.replace('**', 'x.y').replace('*', 'z'));
  return { cache: cacheFor(table), intents };
}

const principal = { id: 'bench', roles: [], attributes: {} };

async function batch(setupOf: ReturnType<typeof setup>, count: number, into: number[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await resolveRoute(setupOf.cache, principal, { intent: setupOf.intents[i % setupOf.intents.length]!, environment: 'prod' });
    into.push(performance.now() - started);
  }
}

/** Batches alternate between the two tables so JIT warm-up and machine noise hit both alike. */
export async function routeBench(rounds = 20, perRound = 1_000) {
  const small = setup(100);
  const large = setup(100_000);
  const smallSamples: number[] = [];
  const largeSamples: number[] = [];
  await batch(small, 2_000, []);
  await batch(large, 2_000, []);
  for (let r = 0; r < rounds; r++) {
    await batch(small, perRound, smallSamples);
    await batch(large, perRound, largeSamples);
  }
  const p50Small = median(smallSamples) * 1000;
  const p50Large = median(largeSamples) * 1000;
  return {
    name: 'route_resolve p50, 100 vs 100,000 routes',
    p50At100Us: round(p50Small, 1),
    p50At100kUs: round(p50Large, 1),
    p99At100kUs: round(percentile(largeSamples, 99) * 1000, 1),
    ratio: round(p50Large / p50Small),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(`${JSON.stringify(await routeBench())}\n`);

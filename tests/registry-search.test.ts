import { beforeAll, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { searchTextFor } from '../src/domain/registry/search-text.js';
import { call, callError, describeEachProvider } from './support/harness.js';

type Result = { server: { name: string; version: string }; score: number; matchedTools: string[] };
type Stats = {
  servers: number;
  versions: number;
  deletedVersions: number;
  byStatus: Record<string, number>;
  byTransport: Record<string, number>;
  stale: { name: string }[];
  dependencyProblems: { missing: { server: string; dependency: string; range: string }[]; cycles: string[][] };
};

const stdio = { type: 'stdio', command: 'node' };

describeEachProvider('registry search and stats', (env) => {
  let client: Client;
  const search = async (args: Record<string, unknown>) => (await call<{ results: Result[] }>(client, 'registry_search', args)).results;

  beforeAll(async () => {
    client = await env.connect();
    await call(client, 'registry_register', { name: 'weather', version: '1.0.0', title: 'Weather', description: 'Forecasts for any city', transport: stdio, tags: ['public', 'forecast'] });
    await call(client, 'registry_register', { name: 'travel', version: '1.0.0', description: 'Plans trips using weather data', transport: { type: 'sse', url: 'https://travel.example.com/sse' }, tags: ['public'] });
    await call(client, 'registry_register', { name: 'ledger', version: '2.0.0', description: 'Accounting entries', transport: stdio, tags: ['internal'], dependencies: [{ name: 'audit-log', range: '^1.0.0' }, { name: 'billing' }] });
    await call(client, 'registry_register', { name: 'billing', version: '1.0.0', description: 'Invoices', transport: stdio, dependencies: [{ name: 'ledger' }] });
    await call(client, 'registry_register', { name: 'old-weather', version: '0.1.0', description: 'Weather, deprecated', transport: stdio });
    await call(client, 'registry_deregister', { name: 'old-weather' });
    const maps = await call<{ server: { id: string } }>(client, 'registry_register', { name: 'maps', version: '1.0.0', description: 'Geography', transport: stdio });
    const tools = [{ name: 'get_forecast_map', description: 'Renders a precipitation map' }];
    await env.app.deps.db.discoveredTool.create({ data: { serverId: maps.server.id, inputSchema: {}, ...tools[0]! } });
    await env.app.deps.db.serverVersion.update({ where: { id: maps.server.id }, data: { searchText: searchTextFor([], tools), lastSeenAt: new Date() } });
  });

  it('ranks a name match above a description-only match', async () => {
    const results = await search({ query: 'weather' });
    expect(results.map((r) => r.server.name)).toEqual(['weather', 'travel']);
    expect(results[0]!.score).toBe(1);
    expect(results[1]!.score).toBeLessThan(1);
  });

  it('matches prefixes and discovered tools, and says which tools matched', async () => {
    expect((await search({ query: 'forec' })).map((r) => r.server.name).sort()).toEqual(['maps', 'weather']);
    const [maps] = await search({ query: 'precipitation' });
    expect(maps).toMatchObject({ server: { name: 'maps' }, matchedTools: ['get_forecast_map'] });
  });

  it('filters by tags (all / any), transport and deletion', async () => {
    expect((await search({ query: 'weather', tags: ['public', 'forecast'] })).map((r) => r.server.name)).toEqual(['weather']);
    expect((await search({ query: 'weather', tags: ['forecast', 'nope'], tagMatch: 'any' })).map((r) => r.server.name)).toEqual(['weather']);
    expect((await search({ query: 'weather', transport: 'sse' })).map((r) => r.server.name)).toEqual(['travel']);
    expect((await search({ query: 'deprecated', includeDeleted: true })).map((r) => r.server.name)).toEqual(['old-weather']);
    expect(await search({ query: 'deprecated' })).toEqual([]);
  });

  it('a query with no words is a clear error; odd characters are not syntax', async () => {
    expect(await callError(client, 'registry_search', { query: '*** ()' })).toMatch(/Invalid: The query has no words/);
    expect(await search({ query: 'weather" OR name:*' })).toEqual([]);
    expect((await search({ query: '"weather"' })).length).toBe(2);
  });

  it('stats count, find stale servers, missing dependencies and cycles', async () => {
    const s = await call<Stats>(client, 'registry_stats');
    expect(s).toMatchObject({ servers: 5, versions: 5, deletedVersions: 1, byStatus: { active: 5 }, byTransport: { stdio: 4, sse: 1 } });
    expect(s.stale.map((x) => x.name).sort()).toEqual(['billing', 'ledger', 'travel', 'weather']);
    expect(s.dependencyProblems.missing).toEqual([{ server: 'ledger', version: '2.0.0', dependency: 'audit-log', range: '^1.0.0' }]);
    expect(s.dependencyProblems.cycles).toEqual([['billing', 'ledger']]);
  });
});

import { beforeAll, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { searchTextFor } from '../src/domain/registry/search-text.js';
import { ensureSearchIndex } from '../src/store/search-index.js';
import { call, callError, describeEachProvider, rowCounts } from './support/harness.js';

type Result = { server: { name: string; version: string }; score: number; matchedTools: string[] };
type Stats = {
  servers: number;
  versions: number;
  deletedVersions: number;
  byStatus: Record<string, number>;
  byHealth: Record<string, number>;
  byTransport: Record<string, number>;
  stale: { name: string; version: string; lastSeenAt: string | null }[];
  dependencyProblems: { missing: { dependent: string; version: string; dependency: string; range: string }[]; cycles: string[][] };
};

const stdio = { type: 'stdio', command: 'node' };
const hour = 3_600_000;

describeEachProvider('registry search and stats', (env) => {
  let client: Client;
  const search = async (args: Record<string, unknown>) => (await call<{ results: Result[] }>(client, 'registry_search', args)).results;
  const names = async (args: Record<string, unknown>) => (await search(args)).map((r) => r.server.name);
  const register = (args: Record<string, unknown>) => call<{ server: { id: string } }>(client, 'registry_register', { transport: stdio, ...args });
  const setRow = (id: string, data: { health?: string; lastSeenAt?: Date; searchText?: string }) => env.app.deps.db.serverVersion.update({ where: { id }, data });

  beforeAll(async () => {
    client = await env.connect();
    const weather = { name: 'weather', title: 'Weather', description: 'Forecasts for any city', tags: ['public', 'forecast'] };
    await register({ ...weather, version: '0.9.0' });
    const current = await register({ ...weather, version: '1.0.0' });
    await setRow(current.server.id, { health: 'healthy' });
    const travel = await register({ name: 'travel', version: '1.0.0', description: 'Plans trips using weather data', transport: { type: 'sse', url: 'https://travel.example.com/sse' }, tags: ['public'] });
    await setRow(travel.server.id, { health: 'unhealthy' });
    await register({ name: 'storm', version: '1.0.0', description: 'Severe weather alerts', status: 'deprecated' });
    const atlas = await register({ name: 'atlas', version: '1.0.0', description: 'Maps of the world' });
    await setRow(atlas.server.id, { lastSeenAt: new Date(Date.now() - 48 * hour) });
    const globe = await register({ name: 'globe', version: '1.0.0', description: 'Atlas' });
    await setRow(globe.server.id, { lastSeenAt: new Date(Date.now() - hour) });
    await register({ name: 'old-weather', version: '0.1.0', description: 'Retired forecast service' });
    await call(client, 'registry_deregister', { name: 'old-weather' });
    await register({ name: 'ledger', version: '2.0.0', description: 'Accounting entries', dependencies: [{ name: 'audit-log', range: '^1.0.0' }, { name: 'billing' }] });
    await register({ name: 'billing', version: '1.0.0', description: 'Invoices', dependencies: [{ name: 'ledger' }] });
    await register({ name: 'reports', version: '1.0.0', description: 'Monthly reports', dependencies: [{ name: 'weather', range: '^2.0.0' }, { name: 'storm' }] });
    await register({ name: 'loop', version: '1.0.0', description: 'Depends on itself', dependencies: [{ name: 'loop' }] });
    // Discovery proper comes later: store a discovered tool as it will, and refresh searchText.
    const maps = await register({ name: 'maps', version: '1.0.0', description: 'Geography' });
    const tools = [{ name: 'get_forecast_map', description: 'Renders a precipitation map' }];
    await env.app.deps.db.discoveredTool.create({ data: { serverId: maps.server.id, inputSchema: {}, ...tools[0]! } });
    await setRow(maps.server.id, { searchText: searchTextFor([], tools), lastSeenAt: new Date() });
  });

  it('ranks a name match above a description-only match, with scores from 1 down', async () => {
    const atlas = await search({ query: 'atlas' });
    expect(atlas.map((r) => r.server.name)).toEqual(['atlas', 'globe']);
    expect(atlas[0]!.score).toBe(1);
    expect(atlas[1]!.score).toBeGreaterThan(0);
    expect(atlas[1]!.score).toBeLessThan(1);

    const weather = await search({ query: 'weather' });
    expect(weather.map((r) => `${r.server.name}@${r.server.version}`).slice(0, 2)).toEqual(['weather@1.0.0', 'weather@0.9.0']);
    expect(weather.slice(2).map((r) => r.server.name).sort()).toEqual(['storm', 'travel']);
    expect(weather.map((r) => r.score)).toEqual([...weather.map((r) => r.score)].sort((a, b) => b - a));
    expect(await search({ query: 'weather', limit: 1 })).toHaveLength(1);
  });

  it('matches prefixes, and every word must match', async () => {
    expect((await names({ query: 'forec', latestOnly: true })).sort()).toEqual(['maps', 'weather']);
    expect((await names({ query: 'weath trips' }))).toEqual(['travel']);
    expect(await names({ query: 'weather invoices' })).toEqual([]);
  });

  it('finds servers by their discovered tools and says which tools matched', async () => {
    const [maps] = await search({ query: 'precipitation' });
    expect(maps).toMatchObject({ server: { name: 'maps' }, matchedTools: ['get_forecast_map'] });
    expect(await search({ query: 'get_forecast_map' })).toMatchObject([{ server: { name: 'maps' }, matchedTools: ['get_forecast_map'] }]);
    expect((await search({ query: 'geography' }))[0]!.matchedTools).toEqual([]);
  });

  it('filters by tags, all or any', async () => {
    expect(await names({ query: 'weather', latestOnly: true, tags: ['public', 'forecast'] })).toEqual(['weather']);
    expect(await names({ query: 'weather', latestOnly: true, tags: ['public', 'nope'] })).toEqual([]);
    expect(await names({ query: 'weather', latestOnly: true, tags: ['forecast', 'nope'], tagMatch: 'any' })).toEqual(['weather']);
    expect(await names({ query: 'weather', latestOnly: true, tags: ['public'], tagMatch: 'any' })).toEqual(['weather', 'travel']);
  });

  it('filters by status, health, transport and latest version', async () => {
    expect(await names({ query: 'weather', status: 'deprecated' })).toEqual(['storm']);
    expect((await search({ query: 'weather', health: 'healthy' })).map((r) => r.server.version)).toEqual(['1.0.0']);
    expect(await names({ query: 'weather', health: 'unhealthy' })).toEqual(['travel']);
    expect(await names({ query: 'weather', transport: 'sse' })).toEqual(['travel']);
    expect((await search({ query: 'weather', latestOnly: true })).filter((r) => r.server.name === 'weather').map((r) => r.server.version)).toEqual(['1.0.0']);
  });

  it('leaves deregistered servers out unless asked', async () => {
    expect(await names({ query: 'retired' })).toEqual([]);
    expect(await names({ query: 'retired', includeDeleted: true })).toEqual(['old-weather']);
  });

  it('rejects a query with no words with guidance; query syntax is plain text', async () => {
    expect(await callError(client, 'registry_search', { query: '*** () -' })).toMatch(/^Invalid: The query has no words .*registry_list/);
    expect(await callError(client, 'registry_search', { query: '' })).toMatch(/Invalid arguments for registry_search:\n- query/);
    const plain = await names({ query: 'weather' });
    for (const query of ['"weather"', 'WEATHER', 'weather:* & !', '(weather) ^ | <->', 'weather*']) expect(await names({ query })).toEqual(plain);
    // Operators are words to match, not syntax: "weather OR x" would otherwise find the weather servers.
    for (const query of ['weather OR nothing', 'weather NOT travel', 'NEAR(weather travel)', 'name:weather']) expect(await names({ query })).toEqual([]);
    const before = await rowCounts(env.app);
    expect(await names({ query: `weather'); DROP TABLE "ServerVersion"; --` })).toEqual([]);
    expect(await rowCounts(env.app)).toEqual(before);
  });

  it('stats: counts, stale servers, missing dependencies and cycles', async () => {
    const s = await call<Stats>(client, 'registry_stats');
    expect(s).toMatchObject({
      servers: 10,
      versions: 11,
      deletedVersions: 1,
      byStatus: { active: 10, deprecated: 1 },
      byHealth: { healthy: 1, unhealthy: 1, unknown: 9 },
      byTransport: { stdio: 10, sse: 1 },
    });
    expect(s.stale.map((x) => `${x.name}@${x.version}`).sort()).toEqual(
      ['atlas@1.0.0', 'billing@1.0.0', 'ledger@2.0.0', 'loop@1.0.0', 'reports@1.0.0', 'travel@1.0.0', 'weather@0.9.0', 'weather@1.0.0'],
    );
    expect(s.stale.find((x) => x.name === 'atlas')!.lastSeenAt).not.toBeNull();
    expect(s.dependencyProblems.missing).toEqual([
      { dependent: 'ledger', version: '2.0.0', dependency: 'audit-log', range: '^1.0.0' },
      { dependent: 'reports', version: '1.0.0', dependency: 'weather', range: '^2.0.0' },
      { dependent: 'reports', version: '1.0.0', dependency: 'storm', range: '*' },
    ]);
    expect(s.dependencyProblems.cycles).toEqual([['billing', 'ledger'], ['loop']]);
  });

  it('finds a reverse-DNS name by its parts on every provider', async () => {
    await call(client, 'registry_register', { name: 'io.github.acme/tides', version: '1.0.0', transport: { type: 'stdio', command: 'node' } });
    expect((await call<{ results: { server: { name: string } }[] }>(client, 'registry_search', { query: 'tides' })).results.map((r) => r.server.name)).toEqual(['io.github.acme/tides']);
  });

  // SQLite ranks a pool of the best matches (limit × 5) before joining them for filters and ties.
  it('ranks every match, not just the first best ones: ties break by name, filters reach past them', async () => {
    // More equally ranked matches than limit 2 pools, registered in reverse name order.
    for (const letter of [...'abcdefghijkl'].reverse()) await register({ name: `quasar-${letter}`, version: '1.0.0', description: 'Quasar catalogue' });
    await register({ name: 'quasar-z', version: '1.0.0', description: 'Quasar catalogue, ranked last by its many other words', status: 'deprecated' });
    expect(await names({ query: 'quasar', limit: 2 })).toEqual(['quasar-a', 'quasar-b']);
    expect(await names({ query: 'quasar', limit: 1, status: 'deprecated' })).toEqual(['quasar-z']);
    expect(await names({ query: 'quasar', limit: 20 })).toEqual([...'abcdefghijklz'].map((letter) => `quasar-${letter}`));
  });

  it('gives a database from before the search objects existed its index on start', async () => {
    const { db, provider } = env.app.deps;
    const before = await names({ query: 'quasar', limit: 3 });
    const old =
      provider === 'postgresql'
        ? [
            `DROP TRIGGER "ServerSearchLexeme_ai" ON "ServerVersion"`,
            `DROP TRIGGER "ServerSearchLexeme_au" ON "ServerVersion"`,
            `DROP TABLE "ServerSearchLexeme"`,
            `ALTER TABLE "ServerVersion" DROP COLUMN "searchVector"`,
            `CREATE INDEX "ServerVersion_search_idx" ON "ServerVersion" USING gin (to_tsvector('simple', "searchText"))`,
          ]
        : ['DROP TABLE server_search'];
    for (const sql of old) await db.$executeRawUnsafe(sql);
    await ensureSearchIndex(db, provider);
    expect(await names({ query: 'quasar', limit: 3 })).toEqual(before);
    if (provider === 'postgresql') {
      const indexes = await db.$queryRawUnsafe<{ name: string }[]>(`SELECT indexname AS name FROM pg_indexes WHERE indexname LIKE 'ServerVersion_search%' ORDER BY 1`);
      expect(indexes.map((i) => i.name)).toEqual(['ServerVersion_searchVector_idx', 'ServerVersion_searchVector_nameTitle_idx']);
      const [words] = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "ServerSearchLexeme" WHERE "lexeme" LIKE 'quasar%'`);
      expect(words!.n).toBeGreaterThan(0);
    }
  });

  // PostgreSQL ranks name and title matches first, and ranks every match only when a server
  // matching elsewhere could outrank them (here a description holding three words of a prefix):
  // results are those of ranking every match.
  it('ranks as ranking every match does, on PostgreSQL', async () => {
    const { db, provider } = env.app.deps;
    if (provider !== 'postgresql') return;
    await register({ name: 'wind-title', title: 'Zephyr', version: '1.0.0', description: 'Winds' });
    await register({ name: 'wind-text', version: '1.0.0', description: 'Zephyrs, zephyrine and zephyrus' });
    for (const letter of [...'abc']) await register({ name: `cloud-${letter}`, version: '1.0.0', description: `Nimbus clouds ${letter}` });
    await register({ name: 'zz-cloud', title: 'Nimbus', version: '1.0.0', description: 'Rain' });
    const everyMatch = (query: string, limit: number) =>
      db.$queryRawUnsafe<{ name: string }[]>(
        `SELECT name FROM "ServerVersion", to_tsquery('simple', $1) q WHERE "searchVector" @@ q AND "deletedAt" IS NULL
         ORDER BY ts_rank('{0.1, 0.2, 0.5, 1.0}', "searchVector", q) DESC, name, id DESC LIMIT $2`,
        `${query}:*`, limit,
      );
    expect(await names({ query: 'zephyr', limit: 1 })).toEqual(['wind-text']);
    expect(await names({ query: 'nimbus', limit: 1 })).toEqual(['zz-cloud']);
    for (const query of ['zephyr', 'zephyrs', 'nimbus', 'cloud', 'weather', 'quasar', 'atlas']) {
      for (const limit of [1, 2, 3, 20]) expect(await names({ query, limit })).toEqual((await everyMatch(query, limit)).map((r) => r.name));
    }
  });

  it('keeps the words a prefix can match for a database from before they were kept', async () => {
    const { db, provider } = env.app.deps;
    if (provider !== 'postgresql') return;
    await db.$executeRawUnsafe(`DROP TRIGGER "ServerSearchLexeme_ai" ON "ServerVersion"`);
    await db.$executeRawUnsafe(`DROP TRIGGER "ServerSearchLexeme_au" ON "ServerVersion"`);
    await db.$executeRawUnsafe(`DROP TABLE "ServerSearchLexeme"`);
    await ensureSearchIndex(db, provider);
    await ensureSearchIndex(db, provider);
    expect(await names({ query: 'zephyr', limit: 1 })).toEqual(['wind-text']);
    expect(await names({ query: 'nimbus', limit: 1 })).toEqual(['zz-cloud']);
    await register({ name: 'ice-title', title: 'Cirrus', version: '1.0.0', description: 'Wisps' });
    await register({ name: 'ice-text', version: '1.0.0', description: 'Cirrusa, cirrusb and cirrusc' });
    expect(await names({ query: 'cirrus', limit: 1 })).toEqual(['ice-text']);
    await register({ name: 'grey-title', title: 'Stratus', version: '1.0.0', description: 'Layers' });
    const text = await register({ name: 'grey-text', version: '1.0.0', description: 'Grey' });
    await db.serverVersion.update({ where: { id: text.server.id }, data: { description: 'Stratusa, stratusb and stratusc' } });
    expect(await names({ query: 'stratus', limit: 1 })).toEqual(['grey-text']);
  });
});

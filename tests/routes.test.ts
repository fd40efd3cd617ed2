// Route resolution as DESIGN.md defines it, through route_* tools on a real database.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { stickyPoint } from '../src/domain/routes/rank.js';
import { call, callError, describeEachProvider } from './support/harness.js';

type Resolution = { server: string; version: string; tool: string; routeId: string | null; fallback: boolean; explanation: string[] };
type Route = { id: string };

const server = (name: string, version: string, extra: Record<string, unknown> = {}) => ({
  name,
  version,
  transport: { type: 'streamable-http', url: `https://${name}.example.com/mcp` },
  ...extra,
});

describeEachProvider('route resolution', (env) => {
  let client: Client;
  const ids: Record<string, string> = {};
  const route = async (key: string, args: Record<string, unknown>) => {
    ids[key] = (await call<{ route: Route }>(client, 'route_create', args)).route.id;
  };
  const resolve = (args: Record<string, unknown>, as = client) => call<Resolution>(as, 'route_resolve', args);

  beforeAll(async () => {
    client = await env.connect();
    for (const [name, version] of [
      ['billing', '1.0.0'],
      ['billing', '1.4.2'],
      ['billing', '2.0.0-beta.1'],
      ['billing-next', '1.0.0'],
      ['ledger', '3.1.0'],
      ['ledger', '3.2.0'],
      ['ghost', '1.0.0'],
    ]) {
      await call(client, 'registry_register', server(name!, version!));
    }
    await call(client, 'registry_update', { name: 'ghost', version: '1.0.0', status: 'disabled' });
    await route('exactProd', { intentPattern: 'billing.invoice.create', environment: 'prod', serverName: 'billing', toolName: 'create_invoice' });
    await route('exactAny', { intentPattern: 'billing.invoice.create', serverName: 'billing', toolName: 'create_invoice_any' });
    await route('star', { intentPattern: 'billing.*.create', serverName: 'billing', toolName: 'generic_create' });
    await route('globstar', { intentPattern: 'billing.**', serverName: 'billing', toolName: 'billing_any' });
    await route('lowPrio', { intentPattern: 'ledger.entry.post', serverName: 'ledger', toolName: 'post_low', priority: 1 });
    await route('highPrio', { intentPattern: 'ledger.entry.post', serverName: 'ledger', toolName: 'post_high', priority: 5 });
    await route('ghostFirst', { intentPattern: 'reports.monthly', serverName: 'ghost', toolName: 'report', priority: 10 });
    await route('ghostBackup', { intentPattern: 'reports.monthly', serverName: 'ledger', toolName: 'report' });
    await route('beta', { intentPattern: 'billing.beta.try', serverName: 'billing', versionRange: '>=2.0.0-beta.0', toolName: 'beta_tool' });
    await route('canaryStable', { intentPattern: 'pay.charge', serverName: 'billing', toolName: 'charge', weight: 90 });
    await route('canaryNext', { intentPattern: 'pay.charge', serverName: 'billing-next', toolName: 'charge', weight: 10 });
  });

  describe.each([
    ['exact environment beats *', { intent: 'billing.invoice.create', environment: 'prod' }, 'exactProd', 'create_invoice'],
    ['* serves other environments', { intent: 'billing.invoice.create', environment: 'dev' }, 'exactAny', 'create_invoice_any'],
    ['literal beats *', { intent: 'billing.invoice.create' }, 'exactAny', 'create_invoice_any'],
    ['* beats **', { intent: 'billing.refund.create' }, 'star', 'generic_create'],
    ['** spans segments', { intent: 'billing.refund.batch.cancel' }, 'globstar', 'billing_any'],
    ['** matches zero segments after the prefix', { intent: 'billing' }, 'globstar', 'billing_any'],
    ['higher priority wins', { intent: 'ledger.entry.post' }, 'highPrio', 'post_high'],
    ['failover past a server with no eligible version', { intent: 'reports.monthly' }, 'ghostBackup', 'report'],
  ])('%s', (_label, args, routeKey, tool) => {
    it('resolves', async () => {
      const r = await resolve(args);
      expect(r.routeId).toBe(ids[routeKey]);
      expect(r.tool).toBe(tool);
      expect(r.fallback).toBe(false);
    });
  });

  it('picks the highest stable version, prereleases only when the range asks', async () => {
    expect((await resolve({ intent: 'billing.invoice.create' })).version).toBe('1.4.2');
    expect((await resolve({ intent: 'billing.beta.try' })).version).toBe('2.0.0-beta.1');
    expect((await resolve({ intent: 'billing.invoice.create', version: '~1.0.0' })).version).toBe('1.0.0');
  });

  it('prefers healthy over unknown over degraded, before the higher version', async () => {
    await env.app.deps.db.serverVersion.update({ where: { name_version: { name: 'ledger', version: '3.2.0' } }, data: { health: 'degraded' } });
    await env.app.deps.db.serverVersion.update({ where: { name_version: { name: 'ledger', version: '3.1.0' } }, data: { health: 'healthy' } });
    env.app.deps.feed.touch('servers');
    expect((await resolve({ intent: 'ledger.entry.post' })).version).toBe('3.1.0');
  });

  it('explains the failover and why the losers lost', async () => {
    const r = await resolve({ intent: 'billing.invoice.create', environment: 'prod' });
    const text = r.explanation.join('\n');
    expect(text).toMatch(/1\. candidates: 4 enabled route/);
    expect(text).toMatch(new RegExp(`route ${ids.exactAny} lost: its environment \\* ranks after the exact environment prod`));
    const dev = (await resolve({ intent: 'billing.invoice.create', environment: 'dev' })).explanation.join('\n');
    expect(dev).toMatch(new RegExp(`route ${ids.globstar} lost: its pattern billing.\\*\\* is less specific than billing.invoice.create`));
    expect((await resolve({ intent: 'reports.monthly' })).explanation.join('\n')).toMatch(/failover: route .* ghost has no eligible version \(1\.0\.0 is disabled\)/);
  });

  it('splits a canary by weight, sticky per caller', async () => {
    const counts = { billing: 0, 'billing-next': 0 };
    for (let i = 0; i < 400; i++) {
      const principal = { id: `user-${i}`, roles: ['admin'], attributes: {} };
      const expected = stickyPoint(principal.id, 'pay.charge') * 100 < 90 ? 'billing' : 'billing-next';
      const as = i < 3 ? await env.connect(principal) : undefined;
      if (as) {
        const first = await resolve({ intent: 'pay.charge' }, as);
        expect(first.server).toBe(expected);
        expect((await resolve({ intent: 'pay.charge' }, as)).server).toBe(first.server);
      }
      counts[expected as keyof typeof counts]++;
    }
    expect(counts.billing / 400).toBeGreaterThan(0.84);
    expect(counts.billing / 400).toBeLessThan(0.96);
  });

  it('falls back to a discovered tool above the threshold, and says so', async () => {
    const weather = await env.app.deps.db.serverVersion.create({
      data: { name: 'weather', version: '1.0.0', transportType: 'stdio', transport: { command: 'node' }, secretKeys: {}, tags: ['forecast'], dependencies: [], metadata: {}, isLatest: true, createdBy: 't', updatedBy: 't' },
    });
    await env.app.deps.db.discoveredTool.create({ data: { serverId: weather.id, name: 'get_forecast', description: 'Weather forecast for a city', inputSchema: {} } });
    env.app.deps.feed.touch('servers');
    const r = await resolve({ intent: 'weather.forecast.get' });
    expect(r).toMatchObject({ server: 'weather', tool: 'get_forecast', routeId: null, fallback: true });
  });

  it('nothing matches: NotFound naming the closest known intents', async () => {
    const text = await callError(client, 'route_resolve', { intent: 'billing-invoice.crate' });
    expect(text).toMatch(/NotFound: No route or discovered tool handles billing-invoice\.crate\. Closest known intents: billing\.invoice\.create/);
  });

  it('update and delete take effect at once; bad patterns are refused', async () => {
    await call(client, 'route_update', { id: ids.highPrio, enabled: false });
    expect((await resolve({ intent: 'ledger.entry.post' })).routeId).toBe(ids.lowPrio);
    await call(client, 'route_delete', { id: ids.lowPrio });
    await expect(resolve({ intent: 'ledger.entry.post' })).rejects.toThrow(/NotFound/);
    expect(await callError(client, 'route_create', { intentPattern: 'a..b', serverName: 'x', toolName: 't' })).toMatch(/intentPattern/);
    expect(await callError(client, 'route_update', { id: 'nope', priority: 1 })).toMatch(/NotFound: No route nope/);
  });
});

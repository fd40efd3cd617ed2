// Rate limits: fixed windows counted per principal in the database, on a clock the tests set, so
// windows open and close when a test says so. Two apps on one database share the counters; HTTP
// requests past SWITCHBOARD_HTTP_RATE_LIMIT get 429 with Retry-After.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { ConfigError, loadConfig } from '../src/config.js';
import type { Deps } from '../src/domain/deps.js';
import { createKey } from '../src/domain/keys/keys.js';
import { checkRateLimit, compileRateLimits, purgeRateLimitCounters, rateLimitFacts, rateLimitMessage, type CallFacts } from '../src/domain/ratelimit/check.js';
import { createHttpRateCounter } from '../src/domain/ratelimit/http-counter.js';
import { parseRules } from '../src/domain/ratelimit/spec.js';
import { startHttpServer } from '../src/transports/http.js';
import { admin, describeEachProvider, secondApp } from './support/harness.js';

const hour = 3_600_000;
const tenFifteen = new Date('2030-01-01T10:15:00.000Z');
const at = (iso: string) => new Date(iso);

/** The app's dependencies with `spec` as SWITCHBOARD_RATE_LIMITS and the clock standing at `now`. */
function limited(app: App, spec: string, now: Date): Deps {
  const { rules, problems } = parseRules(spec);
  expect(problems).toEqual([]);
  return { ...app.deps, clock: () => now, settings: { ...app.deps.settings, rateLimits: compileRateLimits(rules, null) } };
}

async function run(deps: Deps, call: CallFacts, times: number): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < times; i++) out.push((await checkRateLimit(deps, call)).allowed);
  return out;
}

describe('rate-limit settings', () => {
  const load = (env: Record<string, string>) => loadConfig({ SWITCHBOARD_DATA_DIR: '/tmp/unused', ...env });

  it('parses rules and the HTTP limit', () => {
    const config = load({ SWITCHBOARD_RATE_LIMITS: 'principal=1000/m, tool:invoke=100/m,intent:billing.**=10/s,intent:crm.*.read=500/15m', SWITCHBOARD_HTTP_RATE_LIMIT: '50/s' });
    expect(config.rateLimits.map((r) => [r.scope, r.kind, r.match, r.limit, r.windowMs])).toEqual([
      ['principal', 'principal', undefined, 1000, 60_000],
      ['tool:invoke', 'tool', 'invoke', 100, 60_000],
      ['intent:billing.**', 'intent', 'billing.**', 10, 1_000],
      ['intent:crm.*.read', 'intent', 'crm.*.read', 500, 900_000],
    ]);
    expect(config.httpRateLimit).toMatchObject({ scope: 'http', limit: 50, windowMs: 1_000 });
    expect(load({ SWITCHBOARD_HTTP_RATE_LIMIT: 'off' }).httpRateLimit).toBeNull();
    expect(load({}).rateLimits).toEqual([]);
    expect(load({}).httpRateLimit).toMatchObject({ limit: 6000, windowMs: 60_000 });
  });

  it('takes the intent of invoke and job_submit calls only', () => {
    expect(rateLimitFacts('p', 'invoke', { intent: 'billing.refund', arguments: {} })).toEqual({ principal: 'p', tool: 'invoke', intent: 'billing.refund' });
    expect(rateLimitFacts('p', 'job_submit', { intent: 'billing.refund' })).toEqual({ principal: 'p', tool: 'job_submit', intent: 'billing.refund' });
    expect(rateLimitFacts('p', 'invoke', { server: 'io.example/s', tool: 'echo' })).toEqual({ principal: 'p', tool: 'invoke' });
    expect(rateLimitFacts('p', 'job_list', { intent: 'billing.refund' })).toEqual({ principal: 'p', tool: 'job_list' });
  });

  it('fails at start with a message naming the variable and each bad rule', () => {
    const bad = () => load({ SWITCHBOARD_RATE_LIMITS: 'tool:invoke=100/m,tool:invoke=5/s,user=3/s,intent:a..b=1/s,tool:x=0/s,tool:y=10/w', SWITCHBOARD_HTTP_RATE_LIMIT: 'lots' });
    expect(bad).toThrow(ConfigError);
    const message = (() => {
      try {
        bad();
      } catch (error) {
        return (error as Error).message;
      }
    })()!;
    expect(message).toMatch(/SWITCHBOARD_RATE_LIMITS=.*'tool:invoke' is listed twice/);
    expect(message).toMatch(/'user' is not a scope/);
    expect(message).toMatch(/empty segment/);
    expect(message).toMatch(/allows nothing/);
    expect(message).toMatch(/'10\/w' is not a limit/);
    expect(message).toMatch(/SWITCHBOARD_HTTP_RATE_LIMIT="lots": 'lots' is not a limit.*or off/);
  });
});

describeEachProvider(
  'rate limits',
  (env) => {
    it('allows up to the limit in a window, refuses past it with the wait, and opens again in the next window', async () => {
      const principal = `p-${randomUUID()}`;
      const call = { principal, tool: 'registry_get' };
      const deps = limited(env.app, 'tool:registry_get=3/h', tenFifteen);
      expect(await run(deps, call, 3)).toEqual([true, true, true]);
      expect(await checkRateLimit(deps, call)).toEqual({ allowed: false, retryAfterMs: 45 * 60_000, limit: 3, windowMs: hour, scope: 'tool:registry_get', text: '3/h' });
      // Other tools are not counted by a tool rule.
      expect(await run(deps, { principal, tool: 'registry_list' }, 5)).toEqual([true, true, true, true, true]);
      expect((await checkRateLimit({ ...deps, clock: () => at('2030-01-01T10:59:59.999Z') }, call)).allowed).toBe(false);
      const next = { ...deps, clock: () => at('2030-01-01T11:00:00.000Z') };
      expect(await run(next, call, 4)).toEqual([true, true, true, false]);
      // The first call of the new window removed the old window's row.
      const rows = await env.app.deps.db.rateLimitCounter.findMany({ where: { key: { endsWith: `|${principal}` } } });
      expect(rows.map((r) => [r.windowStart.toISOString(), r.count])).toEqual([['2030-01-01T11:00:00.000Z', 4]]);
    });

    it('counts each principal separately', async () => {
      const [alice, bob] = [`alice-${randomUUID()}`, `bob-${randomUUID()}`];
      const deps = limited(env.app, 'principal=2/m', tenFifteen);
      expect(await run(deps, { principal: alice, tool: 'invoke' }, 3)).toEqual([true, true, false]);
      expect(await run(deps, { principal: bob, tool: 'invoke' }, 2)).toEqual([true, true]);
      expect((await checkRateLimit(deps, { principal: alice, tool: 'route_list' })).allowed).toBe(false);
    });

    it('counts intents matching a pattern together, and only calls that carry an intent', async () => {
      const principal = `p-${randomUUID()}`;
      const deps = limited(env.app, 'intent:billing.**=2/s', at('2030-01-01T10:15:00.250Z'));
      expect(await run(deps, { principal, tool: 'invoke', intent: 'billing.invoice.create' }, 1)).toEqual([true]);
      expect(await run(deps, { principal, tool: 'job_submit', intent: 'billing.refund' }, 1)).toEqual([true]);
      expect(await run(deps, { principal, tool: 'invoke', intent: 'crm.contact.read' }, 3)).toEqual([true, true, true]);
      expect(await run(deps, { principal, tool: 'invoke' }, 3)).toEqual([true, true, true]);
      expect(await checkRateLimit(deps, { principal, tool: 'invoke', intent: 'billing.invoice.void' })).toMatchObject({ allowed: false, retryAfterMs: 750, scope: 'intent:billing.**' });
    });

    it('refuses when any matched rule is full and names the one with the longest wait', async () => {
      const principal = `p-${randomUUID()}`;
      const deps = limited(env.app, 'principal=5/s,tool:invoke=2/h', tenFifteen);
      expect(await run(deps, { principal, tool: 'invoke' }, 2)).toEqual([true, true]);
      const refusal = await checkRateLimit(deps, { principal, tool: 'invoke' });
      expect(refusal).toMatchObject({ allowed: false, scope: 'tool:invoke', retryAfterMs: 45 * 60_000 });
      // Refused attempts count too: the principal rule is full now as well, and the longer wait wins.
      expect(await run(deps, { principal, tool: 'invoke' }, 2)).toEqual([false, false]);
      expect(await checkRateLimit(deps, { principal, tool: 'route_list' })).toMatchObject({ allowed: false, scope: 'principal', retryAfterMs: 1000 });
      if (refusal.allowed) throw new Error('expected a refusal');
      expect(rateLimitMessage(refusal)).toBe(
        'Rate limited: you have used all 2 calls matching tool:invoke allowed per hour (tool:invoke=2/h in SWITCHBOARD_RATE_LIMITS). ' +
          'Nothing was done. Retry after 2700 s (retryAfterMs: 2700000), spread calls out, or ask an administrator to raise the limit.',
      );
    });

    it('does no database work when no rule matches', async () => {
      const principal = `p-${randomUUID()}`;
      const deps = limited(env.app, 'tool:invoke=1/s', tenFifteen);
      expect(await run(deps, { principal, tool: 'route_list' }, 3)).toEqual([true, true, true]);
      expect(await env.app.deps.db.rateLimitCounter.count({ where: { key: { endsWith: `|${principal}` } } })).toBe(0);
    });

    it('shares counters between two Switchboard processes on one database, exactly under concurrency', async () => {
      const other = await secondApp(env);
      try {
        const principal = `p-${randomUUID()}`;
        const call = { principal, tool: 'invoke' };
        const [a, b] = [limited(env.app, 'tool:invoke=7/m', tenFifteen), limited(other, 'tool:invoke=7/m', tenFifteen)];
        expect(await run(a, call, 2)).toEqual([true, true]);
        expect(await run(b, call, 2)).toEqual([true, true]);
        // 10 at once, half through each process: exactly the 3 left get through.
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => checkRateLimit(i % 2 ? a : b, call)));
        expect(results.filter((r) => r.allowed)).toHaveLength(3);
        const [row] = await other.deps.db.rateLimitCounter.findMany({ where: { key: { endsWith: `|${principal}` } } });
        expect(row?.count).toBe(14);
      } finally {
        await other.close();
      }
    });

    it('purges counters of windows that have ended', async () => {
      const principal = `p-${randomUUID()}`;
      const minute = limited(env.app, 'tool:invoke=5/m', at('2030-01-01T09:00:00.000Z'));
      await run(minute, { principal, tool: 'invoke' }, 1);
      await run({ ...minute, clock: () => at('2030-01-01T10:14:30.000Z') }, { principal: `${principal}-2`, tool: 'invoke' }, 1);
      await purgeRateLimitCounters({ ...minute, clock: () => tenFifteen });
      const left = await env.app.deps.db.rateLimitCounter.findMany({ where: { key: { contains: principal } } });
      expect(left.map((r) => r.key)).toEqual([`tool:invoke|60000|${principal}-2`]);
    });

    it('counts HTTP requests in each process and shares them through the database at each sync', async () => {
      const other = await secondApp(env);
      const rule = { scope: 'http', kind: 'http' as const, limit: 5, windowMs: hour, text: '5/h' };
      const clock = { now: tenFifteen };
      const [a, b] = [env.app, other].map((app) => createHttpRateCounter({ ...app.deps, clock: () => clock.now }, rule));
      const principal = `h-${randomUUID()}`;
      const checks = (counter: typeof a, times: number) => Array.from({ length: times }, () => counter!.check(principal).allowed);
      try {
        expect(checks(a, 2)).toEqual([true, true]);
        expect(checks(b, 1)).toEqual([true]);
        await a!.sync();
        await b!.sync();
        const [row] = await env.app.deps.db.rateLimitCounter.findMany({ where: { key: `http|${hour}|${principal}` } });
        expect(row?.count).toBe(3);
        // a learns of b's request at its next sync: 3 used, 2 left.
        await a!.sync();
        expect(checks(a, 3)).toEqual([true, true, false]);
        expect(b!.check(principal)).toMatchObject({ allowed: true }); // b has not heard yet: the documented slack
        await a!.sync();
        await b!.sync();
        expect(b!.check(principal)).toMatchObject({ allowed: false, retryAfterMs: 45 * 60_000, limit: 5, scope: 'http' });
        // The next window starts from zero and its first sync removes the ended window's row.
        clock.now = at('2030-01-01T11:00:00.000Z');
        expect(checks(a, 1)).toEqual([true]);
        await a!.close();
        const rows = await env.app.deps.db.rateLimitCounter.findMany({ where: { key: `http|${hour}|${principal}` } });
        expect(rows.map((r) => [r.windowStart.toISOString(), r.count])).toEqual([['2030-01-01T11:00:00.000Z', 1]]);
      } finally {
        await a!.close();
        await b!.close();
        await other.close();
      }
    });

    it('answers HTTP requests past SWITCHBOARD_HTTP_RATE_LIMIT with 429, Retry-After and a JSON-RPC error', async () => {
      // The clock stands still at 10:15: the window (1 hour) ends in 45 minutes, whatever the real time.
      const app = { ...env.app, deps: { ...env.app.deps, clock: () => tenFifteen } };
      const http = await startHttpServer(app, { port: 0 });
      try {
        const { key } = await createKey(env.app.deps, admin, { name: 'limited', principalId: `h-${randomUUID()}`, roles: ['admin'], attributes: {} });
        const { key: otherKey } = await createKey(env.app.deps, admin, { name: 'other', principalId: `h-${randomUUID()}`, roles: ['admin'], attributes: {} });
        const ping = (k: string) =>
          fetch(http.url, {
            method: 'POST',
            headers: { authorization: `Bearer ${k}`, accept: 'application/json, text/event-stream', 'content-type': 'application/json' },
            body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
          });
        for (let i = 0; i < 3; i++) expect((await ping(key)).status).toBe(400); // counted, then refused for want of a session
        const refused = await ping(key);
        expect(refused.status).toBe(429);
        expect(refused.headers.get('retry-after')).toBe(String(45 * 60));
        expect(await refused.json()).toEqual({
          jsonrpc: '2.0',
          id: null,
          error: {
            code: -32000,
            message: expect.stringMatching(/^Rate limited: you have used all 3 HTTP requests allowed per hour \(SWITCHBOARD_HTTP_RATE_LIMIT=3\/h\)\. .*Retry after 2700 s/),
            data: { retryAfterMs: 45 * 60_000, limit: 3, windowMs: hour, scope: 'http' },
          },
        });
        expect((await ping(otherKey)).status).toBe(400); // another principal has its own count
        const unauthenticated = await fetch(http.url, { method: 'POST', body: '{}' });
        expect(unauthenticated.status).toBe(401); // authentication comes first; nobody's count moves
        const metrics = await (await fetch(new URL('/metrics', http.url), { headers: { authorization: `Bearer ${otherKey}` } })).text();
        expect(metrics).toMatch(/^switchboard_http_requests_rate_limited_total 1$/m);
      } finally {
        await http.close();
      }
    });
  },
  { env: { SWITCHBOARD_HTTP_RATE_LIMIT: '3/h' } },
);

describeEachProvider(
  'rate limits on tools/call',
  (env) => {
    it('refuses the call past the limit with a clear isError, writes nothing, and traces it as rate_limited', async () => {
      const client = await env.connect();
      for (let i = 0; i < 2; i++) expect((await client.callTool({ name: 'registry_list', arguments: {} })).isError).toBeFalsy();
      const refused = await client.callTool({ name: 'registry_list', arguments: {} });
      expect(refused.isError).toBe(true);
      expect((refused.content as { text: string }[])[0]!.text).toMatch(/Rate limited: .*tool:registry_list.*Retry after/s);
      expect(refused._meta?.['switchboard/rateLimit']).toMatchObject({ limit: 2, windowMs: hour, scope: 'tool:registry_list' });
      // Other tools are not limited by that rule.
      expect((await client.callTool({ name: 'registry_stats', arguments: {} })).isError).toBeFalsy();
      await env.app.deps.traces.flush();
      expect(await env.app.deps.db.trace.count({ where: { tool: 'registry_list', errorType: 'rate_limited', status: 'error' } })).toBe(1);
    });
  },
  { env: { SWITCHBOARD_RATE_LIMITS: 'tool:registry_list=2/h' } },
);

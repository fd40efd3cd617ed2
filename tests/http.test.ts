// Streamable HTTP end to end: the SDK's client and raw HTTP against startHttpServer, on a real
// database (SQLite; PostgreSQL too when TEST_DATABASE_URL is set).
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { bumpTopic } from '../src/domain/change-feed.js';
import { createKey, revokeKey } from '../src/domain/keys/keys.js';
import { BoundedEventStore } from '../src/transports/event-store.js';
import { startHttpServer, type HttpServer } from '../src/transports/http.js';
import { admin, call, callError, createTestDatabase, providers } from './support/harness.js';

const browserApp = 'http://localhost:6274';
const sse = 'application/json, text/event-stream';
const init = (id = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1.0.0' } },
});
const server = (name: string) => ({ name, version: '1.0.0', description: 'Test server', transport: { type: 'stdio', command: 'node', args: ['s.js'], env: {} } });
const registerCall = (id: number, name: string) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'registry_register', arguments: server(name) } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const provider of providers) {
  describe(`Streamable HTTP [${provider}]`, () => {
    let app: App;
    let http: HttpServer;
    let key: string;
    let cleanup: () => Promise<void>;
    const clients: Client[] = [];

    beforeAll(async () => {
      const db = await createTestDatabase(provider);
      cleanup = db.cleanup;
      const env = { DATABASE_URL: db.databaseUrl, SWITCHBOARD_DATA_DIR: db.dataDir, SWITCHBOARD_ALLOWED_ORIGINS: browserApp, SWITCHBOARD_BODY_LIMIT: '64kb' };
      app = await createApp(loadConfig(env), { log: pino({ level: 'silent' }) });
      ({ key } = await createKey(app.deps, admin, { name: 'http-test', principalId: 'http-tester', roles: ['admin'], attributes: {} }));
      http = await startHttpServer(app, { port: 0 });
    });
    afterAll(async () => {
      for (const c of clients) await c.close();
      await http?.close();
      await app?.close();
      await cleanup?.();
    });

    const bearer = (k = key) => ({ authorization: `Bearer ${k}` });

    async function connect(url = http.url): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
      const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: bearer() } });
      const client = new Client({ name: 'http-test', version: '1.0.0' });
      await client.connect(transport);
      clients.push(client);
      return { client, transport };
    }

    function post(body: unknown, headers: Record<string, string> = {}, url = http.url, signal?: AbortSignal): Promise<Response> {
      return fetch(url, { method: 'POST', headers: { accept: sse, 'content-type': 'application/json', ...bearer(), ...headers }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
    }

    /** A session opened with raw HTTP; returns its id. */
    async function open(url = http.url): Promise<string> {
      const res = await post(init(), {}, url);
      expect(res.status).toBe(200);
      await res.body?.cancel();
      const id = res.headers.get('mcp-session-id')!;
      await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' }, url);
      return id;
    }

    const inSession = (id: string) => ({ 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' });

    async function health(url = http.url) {
      const res = await fetch(new URL('/healthz', url));
      return { status: res.status, body: (await res.json()) as { status: string; db: { ok: boolean; provider: string; latencyMs: number; pool?: object }; sessions: number; inFlight: number } };
    }

    it('serves initialize, tools/list and tools/call to the SDK client', async () => {
      const { client, transport } = await connect();
      expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(transport.protocolVersion).toBe('2025-11-25');
      expect(client.getServerVersion()?.name).toBe('switchboard');
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['registry_register', 'registry_get']));
      await call(client, 'registry_register', server('io.example/over-http'));
      const { server: got } = await call<{ server: { name: string; version: string; createdBy: string } }>(client, 'registry_get', { name: 'io.example/over-http' });
      expect(got).toMatchObject({ name: 'io.example/over-http', version: '1.0.0', createdBy: 'http-tester' });
    });

    it('refuses a request without a valid bearer key with 401 and a WWW-Authenticate challenge', async () => {
      for (const headers of [{ authorization: '' }, bearer('sb_AAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')]) {
        const res = await post(init(), headers);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="switchboard"/);
        expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringMatching(/Authorization: Bearer/) } });
      }
    });

    it('stops honouring a key once it is revoked', async () => {
      const { key: shortLived, info } = await createKey(app.deps, admin, { name: 'short-lived', principalId: 'temp', roles: ['admin'], attributes: {} });
      const ok = await post(init(), bearer(shortLived));
      expect(ok.status).toBe(200);
      await ok.body?.cancel();
      await revokeKey(app.deps, admin, info.id);
      const res = await post(init(), bearer(shortLived));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { message: expect.stringMatching(/API key revoked/) } });
    });

    it('refuses an expired key with 401', async () => {
      const { key: expiring, info } = await createKey(app.deps, admin, { name: 'expiring', principalId: 'temp', roles: ['admin'], attributes: {}, expiresInDays: 1 });
      await app.deps.db.apiKey.update({ where: { id: info.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      const res = await post(init(), bearer(expiring));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { message: expect.stringMatching(/API key expired/) } });
    });

    it('runs each session as its key’s principal: a reader sees read tools only and is denied a write', async () => {
      const { key: readerKey } = await createKey(app.deps, admin, { name: 'reader', principalId: 'rita', roles: ['reader'], attributes: {} });
      const transport = new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers: bearer(readerKey) } });
      const client = new Client({ name: 'http-test', version: '1.0.0' });
      await client.connect(transport);
      clients.push(client);
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('registry_get');
      expect(names).not.toContain('registry_register');
      expect(await callError(client, 'registry_register', server('io.example/not-allowed'))).toMatch(/^Denied:/);
    });

    it('answers 404 for an unknown session, a terminated one, and one that belongs to someone else', async () => {
      const expect404 = async (res: Response) => {
        expect(res.status).toBe(404);
        expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32001, message: expect.stringMatching(/^Session not found.*initialize/) } });
      };
      const unknown = inSession(randomUUID());
      await expect404(await post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, unknown));
      await expect404(await fetch(http.url, { headers: { accept: 'text/event-stream', ...bearer(), ...unknown } }));
      await expect404(await fetch(http.url, { method: 'DELETE', headers: { ...bearer(), ...unknown } }));

      const id = await open();
      const listed = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, inSession(id));
      expect(listed.status).toBe(200);
      await listed.body?.cancel();
      const { key: otherKey } = await createKey(app.deps, admin, { name: 'other', principalId: 'someone-else', roles: ['admin'], attributes: {} });
      await expect404(await post({ jsonrpc: '2.0', id: 3, method: 'tools/list' }, { ...inSession(id), ...bearer(otherKey) }));

      const deleted = await fetch(http.url, { method: 'DELETE', headers: { ...bearer(), ...inSession(id) } });
      expect(deleted.status).toBe(200);
      await expect404(await post({ jsonrpc: '2.0', id: 4, method: 'tools/list' }, inSession(id)));
      await expect404(await fetch(http.url, { headers: { accept: 'text/event-stream', ...bearer(), ...inSession(id) } }));
    });

    it('accepts only initialize without a session, and lets the SDK refuse an unsupported MCP-Protocol-Version', async () => {
      const res = await post({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringMatching(/initialize/) } });
      const id = await open();
      const old = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { ...inSession(id), 'mcp-protocol-version': '1999-01-01' });
      expect(old.status).toBe(400);
      expect(await old.json()).toMatchObject({ error: { message: expect.stringMatching(/Unsupported protocol version: 1999-01-01/) } });
    });

    it('refuses a foreign Origin with 403; an allowed Origin, its own Origin and no Origin pass', async () => {
      const foreign = await post(init(), { origin: 'https://evil.example' });
      expect(foreign.status).toBe(403);
      expect(await foreign.json()).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringMatching(/SWITCHBOARD_ALLOWED_ORIGINS/) } });
      for (const origin of [browserApp, new URL(http.url).origin, undefined]) {
        const res = await post(init(), origin ? { origin } : {});
        expect(res.status).toBe(200);
        expect(res.headers.get('access-control-allow-origin')).toBe(origin ?? null);
        await res.body?.cancel();
      }
      const preflight = await fetch(http.url, { method: 'OPTIONS', headers: { origin: browserApp, 'access-control-request-method': 'POST' } });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Mcp-Session-Id/);
    });

    it('refuses a Host that is not a loopback name with 403', async () => {
      const raw = (host: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = httpRequest(http.url, { method: 'POST', headers: { host, accept: sse, 'content-type': 'application/json', ...bearer() } }, (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
            if (res.headers['content-type']?.startsWith('text/event-stream')) res.destroy();
          });
          req.on('error', reject);
          req.end(JSON.stringify(init()));
        });
      const bad = await raw('evil.example:8808');
      expect(bad.status).toBe(403);
      expect(JSON.parse(bad.body)).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringMatching(/Host evil.example:8808.*SWITCHBOARD_ALLOWED_HOSTS/) } });
      expect((await raw(`localhost:${new URL(http.url).port}`)).status).toBe(200);
    });

    it('answers 413 past the body limit and a JSON-RPC parse error for malformed JSON', async () => {
      const huge = await post({ ...registerCall(1, 'huge'), padding: 'x'.repeat(70_000) });
      expect(huge.status).toBe(413);
      expect(await huge.json()).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringMatching(/limit is 64kb.*SWITCHBOARD_BODY_LIMIT/) } });
      const justUnder = await post({ ...init(), params: { ...init().params, padding: 'x'.repeat(60_000) } });
      expect(justUnder.status).toBe(200);
      await justUnder.body?.cancel();
      const malformed = await fetch(http.url, { method: 'POST', headers: { accept: sse, 'content-type': 'application/json', ...bearer() }, body: '{"jsonrpc": "2.0", "id": ' });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } });
    });

    it('replays what a dropped stream missed when the client resumes with Last-Event-ID', async () => {
      const id = await open();
      const release = await holdServersLock(app);
      // The call starts, blocks on the lock, and the client drops its stream after the first event.
      const drop = new AbortController();
      const res = await post(registerCall(7, 'io.example/resumed'), inSession(id), http.url, drop.signal);
      const [priming] = await readEvents(res, (events) => events.length >= 1);
      expect(priming!.id).toBeTruthy();
      drop.abort();
      await release();
      await until(async () => (await health()).body.inFlight === 0); // answered while nobody listened

      const resumed = await fetch(http.url, { headers: { accept: 'text/event-stream', 'last-event-id': priming!.id!, ...bearer(), ...inSession(id) } });
      expect(resumed.status).toBe(200);
      const events = await readEvents(resumed, (got) => got.some((e) => e.message && 'result' in e.message));
      const answer = events.find((e) => e.message && 'id' in e.message && e.message.id === 7)!.message as unknown as { result: { structuredContent: { server: { name: string } } } };
      expect(answer.result.structuredContent.server.name).toBe('io.example/resumed');
    });

    it('reports health with database figures, and readiness', async () => {
      const { status, body } = await health();
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: 'ok', db: { ok: true, provider }, sessions: expect.any(Number), uptimeSeconds: expect.any(Number) });
      expect(body.db.latencyMs).toBeGreaterThanOrEqual(0);
      if (provider === 'postgresql') expect(body.db.pool).toMatchObject({ total: expect.any(Number), idle: expect.any(Number) });
      expect((await fetch(new URL('/readyz', http.url))).status).toBe(200);
    });

    it('closes a session idle past SWITCHBOARD_SESSION_IDLE_MS', async () => {
      const quick = await startHttpServer({ ...app, config: { ...app.config, sessionIdleMs: 150 } }, { port: 0 });
      try {
        const id = await open(quick.url);
        await sleep(50);
        const alive = await post({ jsonrpc: '2.0', id: 2, method: 'ping' }, inSession(id), quick.url);
        expect(alive.status).toBe(200);
        await alive.body?.cancel();
        await until(async () => (await health(quick.url)).body.sessions === 0);
        expect((await post({ jsonrpc: '2.0', id: 3, method: 'ping' }, inSession(id), quick.url)).status).toBe(404);
      } finally {
        await quick.close();
      }
    });

    it('drains on close(): not ready, new work refused, and the call in progress completes', async () => {
      const draining = await startHttpServer(app, { port: 0 });
      const { client } = await connect(draining.url);
      const release = await holdServersLock(app);
      const inProgress = call<{ server: { name: string } }>(client, 'registry_register', server('io.example/drained'));
      await until(async () => (await health(draining.url)).body.inFlight > 0);

      let finished = false;
      const closed = draining.close().then(() => (finished = true));
      expect((await fetch(new URL('/readyz', draining.url))).status).toBe(503);
      const refused = await post(init(), {}, draining.url);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toMatchObject({ error: { message: expect.stringMatching(/shutting down/) } });

      await sleep(100);
      expect(finished).toBe(false); // close() is waiting for the call
      await release();
      expect((await inProgress).server.name).toBe('io.example/drained');
      await closed;
      await expect(fetch(new URL('/readyz', draining.url))).rejects.toThrow();
      expect(await app.deps.db.serverVersion.count({ where: { name: 'io.example/drained' } })).toBe(1);
    });
  });
}

describe('BoundedEventStore', () => {
  it('keeps the last N events, replays one stream after an id, and names the stream of an evicted id', async () => {
    const store = new BoundedEventStore(3);
    const message = (n: number): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'notifications/message', params: { n } });
    const ids = [];
    for (let n = 1; n <= 5; n++) ids.push(await store.storeEvent(n % 2 ? 'a' : 'b', message(n)));
    const replay = async (after: string) => {
      const sent: unknown[] = [];
      const stream = await store.replayEventsAfter(after, { send: async (_id, m) => void sent.push((m as unknown as { params: { n: number } }).params.n) });
      return { stream, sent };
    };
    expect(await replay(ids[0]!)).toEqual({ stream: 'a', sent: [3, 5] }); // 1 was evicted; 3 and 5 are kept
    expect(await replay(ids[2]!)).toEqual({ stream: 'a', sent: [5] });
    expect(await replay(ids[3]!)).toEqual({ stream: 'b', sent: [] });
    expect(await store.getStreamIdForEventId(ids[0]!)).toBe('a');
    expect(await store.getStreamIdForEventId(ids[3]!)).toBe('b');
    expect(await store.getStreamIdForEventId('a.99')).toBeUndefined();
    expect(await store.getStreamIdForEventId('b.3')).toBeUndefined(); // event 3 is stream a's
    expect(await store.getStreamIdForEventId('garbage')).toBeUndefined();
  });

  it('drops the oldest events past its byte budget, never the newest', async () => {
    const big = (n: number): JSONRPCMessage => ({ jsonrpc: '2.0', id: n, result: { text: 'x'.repeat(400) } });
    const replayed = async (store: BoundedEventStore, after: string) => {
      const sent: unknown[] = [];
      await store.replayEventsAfter(after, { send: async (_id, m) => void sent.push((m as { id: number }).id) });
      return sent;
    };
    const store = new BoundedEventStore(100, 1000);
    const ids = [];
    for (let n = 1; n <= 5; n++) ids.push(await store.storeEvent('a', big(n)));
    expect(await replayed(store, ids[0]!)).toEqual([4, 5]); // about 430 bytes each: two fit in 1000
    // One event past the whole budget is still kept, until the next one.
    const tiny = new BoundedEventStore(100, 10);
    const first = await tiny.storeEvent('b', big(1));
    await tiny.storeEvent('b', big(2));
    await tiny.storeEvent('b', big(3));
    expect(await replayed(tiny, first)).toEqual([3]);
    expect(await tiny.getStreamIdForEventId(first)).toBe('b');
  });
});

/**
 * Holds a write lock that registry_register needs (the servers change counter), so a call can be
 * kept in progress for as long as a test needs. Returns the function that lets it go.
 */
async function holdServersLock(app: App): Promise<() => Promise<void>> {
  let locked!: () => void;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (locked = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  const tx = app.deps.db.$transaction(async (t) => {
    await bumpTopic(t, 'servers');
    locked();
    await gate;
  });
  await held;
  return async () => {
    release();
    await tx;
  };
}

interface SseEvent {
  id?: string;
  message?: JSONRPCMessage;
}

/** Reads server-sent events from `res` until `done` says so, then stops reading. */
async function readEvents(res: Response, done: (events: SseEvent[]) => boolean, timeoutMs = 5000): Promise<SseEvent[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: SseEvent[] = [];
  let buffer = '';
  const timer = setTimeout(() => void reader.cancel().catch(() => {}), timeoutMs);
  try {
    while (!done(events)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event: SseEvent = {};
        for (const line of buffer.slice(0, end).split('\n')) {
          if (line.startsWith('id: ')) event.id = line.slice(4);
          if (line.startsWith('data: ') && line.length > 6) event.message = JSON.parse(line.slice(6)) as JSONRPCMessage;
        }
        buffer = buffer.slice(end + 2);
        if (event.id !== undefined || event.message !== undefined) events.push(event);
      }
    }
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
  if (!done(events)) throw new Error(`the stream ended or stalled before the expected events; got ${JSON.stringify(events)}`);
  return events;
}

async function until(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

// Streamable HTTP end to end: a real SDK client and raw fetch against startHttpServer on a real
// database — auth, policies, Origin/Host checks, sessions, body limit, resumable streams, health,
// and a graceful close that lets an in-flight call finish.
import pg from 'pg';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createKey } from '../src/domain/keys/keys.js';
import { startHttpServer, type HttpServer } from '../src/transports/http.js';
import { admin, createTestDatabase, providers, textOf } from './support/harness.js';

const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
const accept = 'application/json, text/event-stream';

describe.each(providers)('Streamable HTTP [%s]', (provider) => {
  let app: App;
  let http: HttpServer;
  let adminKey: string;
  let readerKey: string;
  let cleanup: () => Promise<void>;
  let databaseUrl: string;

  beforeAll(async () => {
    const db = await createTestDatabase(provider);
    cleanup = db.cleanup;
    databaseUrl = db.databaseUrl;
    const config = loadConfig({ DATABASE_URL: db.databaseUrl, SWITCHBOARD_DATA_DIR: db.dataDir, SWITCHBOARD_ALLOWED_ORIGINS: 'http://localhost:6274', SWITCHBOARD_BODY_LIMIT: '64kb' });
    app = await createApp(config, { log: pino({ level: 'silent' }) });
    http = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
    adminKey = (await createKey(app.deps, admin, { name: 'admin', principalId: 'ops', roles: ['admin'], attributes: {} })).key;
    readerKey = (await createKey(app.deps, admin, { name: 'reader', principalId: 'rita', roles: ['reader'], attributes: {} })).key;
  });
  afterAll(async () => {
    await http?.close();
    await app?.close();
    await cleanup?.();
  });

  /**
   * Holds PostgreSQL's lock on the server table from another connection, so a registering call
   * waits (asynchronously) until release() — a real slow call, with nothing mocked. SQLite cannot
   * do this in-process: better-sqlite3 waits for a lock synchronously, blocking the event loop.
   */
  const holdServerTable = async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE "ServerVersion" IN ACCESS EXCLUSIVE MODE');
    return async () => {
      await client.query('ROLLBACK');
      await client.end();
    };
  };
  const connect = async (key: string) => {
    const client = new Client({ name: 'http-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
    return client;
  };
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(http.url, { method: 'POST', headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${adminKey}`, ...headers }, body: JSON.stringify(body) });
  const openSession = async () => {
    const res = await post(initialize);
    expect(res.status).toBe(200);
    await res.text();
    return res.headers.get('mcp-session-id')!;
  };

  it('serves an SDK client: tools/list and tools/call, attributed to the key’s principal', async () => {
    const client = await connect(adminKey);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('registry_register');
    const registered = await client.callTool({ name: 'registry_register', arguments: { name: 'over-http', version: '1.0.0', transport: { type: 'stdio', command: 'node' } } });
    expect(registered.structuredContent).toMatchObject({ server: { name: 'over-http', createdBy: 'ops' } });
    await client.close();
  });

  it('401 with WWW-Authenticate without a key, with an unknown key, and with a revoked key', async () => {
    for (const headers of [{ authorization: '' }, { authorization: 'Bearer sb_AAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }]) {
      const res = await post(initialize, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="switchboard", error="invalid_token"/);
    }
    const { key, info } = await createKey(app.deps, admin, { name: 'short-lived', principalId: 'temp', roles: ['admin'], attributes: {} });
    expect((await post(initialize, { authorization: `Bearer ${key}` })).status).toBe(200);
    await app.deps.db.apiKey.update({ where: { id: info.id }, data: { revokedAt: new Date() } });
    const res = await post(initialize, { authorization: `Bearer ${key}` });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { message: expect.stringMatching(/API key revoked/) } });
  });

  it('a reader sees only read tools and is denied a write', async () => {
    const client = await connect(readerKey);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('registry_list');
    expect(names).not.toContain('registry_register');
    const result = await client.callTool({ name: 'registry_register', arguments: { name: 'nope', version: '1.0.0', transport: { type: 'stdio', command: 'node' } } });
    expect(result.isError).toBe(true);
    expect(textOf(result as never)).toMatch(/^Denied:/);
    await client.close();
  });

  it('Origin: none and allowed pass; a foreign one gets 403', async () => {
    expect((await post(initialize, { origin: 'http://localhost:6274' })).status).toBe(200);
    const res = await post(initialize, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringMatching(/SWITCHBOARD_ALLOWED_ORIGINS/) } });
  });

  it('a Host that is not this server gets 403 (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const url = new URL(http.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: '/mcp', method: 'POST', headers: { host: 'rebound.example:80', 'content-type': 'application/json' } }, (res) => resolve(res.statusCode!));
      req.on('error', reject);
      req.end(JSON.stringify(initialize));
    });
    expect(status).toBe(403);
  });

  it('404 for an unknown session id, and for a session after DELETE', async () => {
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
    const headers = { 'mcp-protocol-version': '2025-11-25' };
    expect((await post(list, { ...headers, 'mcp-session-id': 'no-such-session' })).status).toBe(404);
    const id = await openSession();
    expect((await post(list, { ...headers, 'mcp-session-id': id })).status).toBe(200);
    const del = await fetch(http.url, { method: 'DELETE', headers: { authorization: `Bearer ${adminKey}`, 'mcp-session-id': id, ...headers } });
    expect(del.status).toBe(200);
    expect((await post(list, { ...headers, 'mcp-session-id': id })).status).toBe(404);
  });

  it('another principal cannot use someone else’s session', async () => {
    const id = await openSession();
    const res = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} }, { 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25', authorization: `Bearer ${readerKey}` });
    expect(res.status).toBe(404);
  });

  it('413 for a body over the limit, 400 for malformed JSON', async () => {
    const big = await post({ ...initialize, params: { ...initialize.params, padding: 'x'.repeat(70_000) } });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { message: expect.stringMatching(/limit is 64kb.*SWITCHBOARD_BODY_LIMIT/) } });
    const bad = await fetch(http.url, { method: 'POST', headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${adminKey}` }, body: '{"jsonrpc":' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: -32700 } });
  });

  it('/healthz reports the database; /readyz is ready', async () => {
    const health = await fetch(new URL('/healthz', http.url));
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', db: { ok: true, provider } });
    expect((await fetch(new URL('/readyz', http.url))).status).toBe(200);
  });

  it.runIf(provider === 'postgresql')('a stream cut mid-call is resumed with Last-Event-ID', async () => {
    const id = await openSession();
    const headers = { 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' };
    await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
    const release = await holdServerTable();
    const abort = new AbortController();
    const call = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'registry_register', arguments: { name: 'resumed', version: '1.0.0', transport: { type: 'stdio', command: 'node' } } } };
    const res = await fetch(http.url, { method: 'POST', headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${adminKey}`, ...headers }, body: JSON.stringify(call), signal: abort.signal });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const primingId = /id: (\S+)/.exec(first)![1]!;
    abort.abort();
    await release();
    await new Promise((r) => setTimeout(r, 300));
    const resumed = await fetch(http.url, { headers: { accept: 'text/event-stream', authorization: `Bearer ${adminKey}`, 'last-event-id': primingId, ...headers } });
    expect(resumed.status).toBe(200);
    const text = new TextDecoder().decode((await resumed.body!.getReader().read()).value);
    expect(text).toMatch(/"id":7/);
    expect(text).toMatch(/"name":"resumed"/);
  });

  it.runIf(provider === 'postgresql')('close() waits for an in-flight call, then refuses new work', async () => {
    const client = await connect(adminKey);
    const release = await holdServerTable();
    const pending = client.callTool({ name: 'registry_register', arguments: { name: 'in-flight', version: '1.0.0', transport: { type: 'stdio', command: 'node' } } });
    await new Promise((r) => setTimeout(r, 200));
    const closing = http.close();
    expect((await fetch(new URL('/readyz', http.url)).catch(() => undefined))?.status ?? 503).toBe(503);
    setTimeout(() => void release(), 300);
    const result = await pending;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ server: { name: 'in-flight' } });
    await closing;
    expect(await app.deps.db.serverVersion.count({ where: { name: 'in-flight' } })).toBe(1);
  });
});

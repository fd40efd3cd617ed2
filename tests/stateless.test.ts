// Stateless HTTP mode: two `switchboard serve` processes on one PostgreSQL behind a round-robin
// proxy that pins nothing, and one SDK client that does an agent's whole job through it —
// registering, routing, invoking, and starting a task on one replica and collecting it from the
// other. (On SQLite: one process in the same mode.)
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CallToolResultSchema, CreateTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, exited, serve } from './support/cli.js';
import { eventually, processesTagged, stdioFixture } from './support/fixture.js';
import { call, createTestDatabase, providers } from './support/harness.js';

/** Forwards each request to the next target in turn; counts what each target served. */
async function roundRobin(targets: string[]): Promise<{ url: string; served: number[]; close(): Promise<void> }> {
  const served = targets.map(() => 0);
  let next = 0;
  const proxy: Server = createServer((req, res) => {
    const i = next++ % targets.length;
    served[i]!++;
    const target = new URL(targets[i]!);
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    served,
    close: () =>
      new Promise((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}

describe.each(providers)('stateless HTTP [%s]', (provider) => {
  const tag = `stateless-${provider}-${process.pid}`;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const replicas: ReturnType<typeof serve>[] = [];
  let proxy: Awaited<ReturnType<typeof roundRobin>>;
  let client: Client;
  let key = '';

  beforeAll(async () => {
    db = await createTestDatabase(provider);
    const env = cliEnv(db.dataDir, db.databaseUrl, { SWITCHBOARD_HTTP_STATELESS: 'true' });
    // One after the other: the first migrates the database and prints the admin key.
    const urls: string[] = [];
    for (let i = 0; i < (provider === 'postgresql' ? 2 : 1); i++) {
      const replica = serve(env);
      replicas.push(replica);
      urls.push(await replica.listening);
    }
    key = /^\s+(sb_\S+)$/m.exec(replicas[0]!.stderr())?.[1] ?? '';
    proxy = await roundRobin(urls);
    client = new Client({ name: 'agent', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(proxy.url), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }) as Transport);
  });

  afterAll(async () => {
    await client?.close();
    await proxy?.close();
    for (const r of replicas) r.child.kill('SIGTERM');
    for (const r of replicas) expect(await exited(r.child)).toBe(0);
    await eventually(() => processesTagged(tag).length === 0, 'every upstream process to be gone');
    await db.cleanup();
  });

  it('serves an agent’s whole path through a proxy that pins nothing', async () => {
    expect(client.getServerCapabilities()?.resources?.subscribe).toBe(false);
    await call(client, 'registry_register', { name: 'stateless-fixture', version: '1.0.0', transport: stdioFixture(tag) });
    await call(client, 'route_create', { intentPattern: 'stateless.echo', serverName: 'stateless-fixture', toolName: 'echo' });
    for (let i = 0; i < 4; i++) {
      const result = await client.callTool({ name: 'invoke', arguments: { intent: 'stateless.echo', arguments: { text: `call ${i}` } } });
      expect(result.structuredContent).toEqual({ text: `call ${i}` });
    }
    expect((await call<{ server: { name: string } }>(client, 'registry_get', { name: 'stateless-fixture' })).server.name).toBe('stateless-fixture');
    // A task started through one replica is answered for by whichever replica the next request reaches.
    const { task } = await client.request({ method: 'tools/call', params: { name: 'invoke', arguments: { intent: 'stateless.echo', arguments: { text: 'as a task' } }, task: {} } }, CreateTaskResultSchema);
    const done = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(done.structuredContent).toEqual({ text: 'as a task' });
    expect((await client.experimental.tasks.getTask(task.taskId)).status).toBe('completed');
    if (provider === 'postgresql') for (const count of proxy.served) expect(count).toBeGreaterThan(3);
  });

  it('answers GET and DELETE with 405: there is no session to stream from or end', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(proxy.url, { method, headers: { Accept: 'text/event-stream', Authorization: `Bearer ${key}` } });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/stateless/);
    }
  });
});

// Two Switchboard processes on one PostgreSQL: a change made through one holds in the other
// within a second (each process polls the change counters; nothing is queried per call).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, cliPath } from './support/cli.js';
import { createTestDatabase, textOf } from './support/harness.js';
import { pgServerUrl } from './support/databases.js';

describe.runIf(pgServerUrl)('two processes on one PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const clients: Client[] = [];
  const start = async () => {
    const client = new Client({ name: 'multi', version: '1' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [cliPath, 'stdio'], env: cliEnv(db.dataDir, db.databaseUrl), stderr: 'ignore' }));
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    db = await createTestDatabase('postgresql');
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await db.cleanup();
  });

  it('a policy and a route made through one process hold in the other within a second', async () => {
    const a = await start();
    const b = await start();
    await a.callTool({ name: 'registry_register', arguments: { name: 'shared', version: '1.0.0', transport: { type: 'stdio', command: 'node' } } });
    const get = () => b.callTool({ name: 'registry_get', arguments: { name: 'shared' } }) as Promise<CallToolResult>;
    expect((await get()).isError).toBeFalsy();

    await a.callTool({ name: 'policy_create', arguments: { name: 'freeze-shared', effect: 'deny', principals: ['*'], actions: ['registry_get'], resources: ['shared'] } });
    const changed = performance.now();
    let result = await get();
    while (!result.isError && performance.now() - changed < 5_000) result = await get();
    const elapsed = performance.now() - changed;
    expect(textOf(result)).toMatch(/Denied: .*freeze-shared/);
    expect(elapsed).toBeLessThan(1_000);

    await a.callTool({ name: 'route_create', arguments: { intentPattern: 'shared.thing', serverName: 'shared', toolName: 'do_it' } });
    const routed = performance.now();
    let resolved = (await b.callTool({ name: 'route_resolve', arguments: { intent: 'shared.thing' } })) as CallToolResult;
    while (resolved.isError && performance.now() - routed < 5_000) resolved = (await b.callTool({ name: 'route_resolve', arguments: { intent: 'shared.thing' } })) as CallToolResult;
    expect(resolved.structuredContent).toMatchObject({ server: 'shared', tool: 'do_it' });
    expect(performance.now() - routed).toBeLessThan(1_000);
  });
});

// An agent's whole path through both Switchboard transports, as real processes: register the
// fixture, route an intent to it, health-check it, invoke the intent, read the trace — then stop
// Switchboard and find no upstream process left behind.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, cliPath, exited, serve } from './support/cli.js';
import { eventually, processesTagged, stdioFixture } from './support/fixture.js';
import { call, createTestDatabase, providers } from './support/harness.js';

async function agentPath(client: Client, tag: string, kind: string) {
  const name = `e2e-${kind}`;
  await call(client, 'registry_register', { name, version: '1.0.0', transport: stdioFixture(tag, {}, ['--grandchild']) });
  await call(client, 'route_create', { intentPattern: `e2e.${kind}.echo`, environment: 'prod', serverName: name, toolName: 'echo' });
  const health = await call<{ results: { health: string; toolCount: number }[] }>(client, 'registry_check_health', { name });
  expect(health.results[0]).toMatchObject({ health: 'healthy' });
  expect(health.results[0]!.toolCount).toBeGreaterThan(3);
  const result = await client.callTool({ name: 'invoke', arguments: { intent: `e2e.${kind}.echo`, environment: 'prod', arguments: { text: 'end to end' } } });
  expect(result.isError).toBeFalsy();
  expect(result.structuredContent).toEqual({ text: 'end to end' });
  const traceId = (result._meta?.['switchboard/invoke'] as { traceId: string }).traceId;
  let trace: Record<string, unknown> | undefined;
  await eventually(async () => {
    const r = await client.callTool({ name: 'trace_get', arguments: { id: traceId } });
    trace = (r.structuredContent as { trace?: Record<string, unknown> } | undefined)?.trace;
    return !r.isError;
  }, 'the invoke trace to be written');
  expect(trace).toMatchObject({ tool: 'invoke', intent: `e2e.${kind}.echo`, environment: 'prod', serverName: name, status: 'ok' });
  expect(processesTagged(tag).length).toBeGreaterThanOrEqual(2); // the fixture and its child
}

describe.each(providers)('invoke end to end [%s]', (provider) => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase(provider);
  });
  afterAll(async () => db.cleanup());

  it('over stdio', async () => {
    const tag = `e2e-stdio-${provider}-${process.pid}`;
    const transport = new StdioClientTransport({ command: process.execPath, args: [cliPath, 'stdio'], env: cliEnv(db.dataDir, db.databaseUrl), stderr: 'ignore' });
    const client = new Client({ name: 'agent', version: '1' });
    await client.connect(transport);
    await agentPath(client, tag, 'stdio');
    await client.close();
    await eventually(() => processesTagged(tag).length === 0, 'every upstream process to be gone after Switchboard exits');
  });

  it('over Streamable HTTP', async () => {
    const tag = `e2e-http-${provider}-${process.pid}`;
    const server = serve(cliEnv(db.dataDir, db.databaseUrl));
    const url = await server.listening;
    const key = /^\s+(sb_\S+)$/m.exec(server.stderr())?.[1];
    const client = new Client({ name: 'agent', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${key ?? ''}` } } }) as Transport);
    await agentPath(client, tag, 'http');
    await client.close();
    server.child.kill('SIGTERM');
    expect(await exited(server.child)).toBe(0);
    expect(processesTagged(tag)).toEqual([]);
  });
});

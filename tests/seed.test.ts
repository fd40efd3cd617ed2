// `switchboard seed` on a fresh database: the demo pack, healthy demo servers, two keys printed
// once — and then the demo does what the README's walkthrough says, as the demo developer.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import { createMcpServer } from '../src/transports/server.js';
import { cliEnv, runCli } from './support/cli.js';
import { call, callError, createTestDatabase, secondApp, textOf } from './support/harness.js';

describe('switchboard seed', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: App | undefined;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
  });
  afterAll(async () => {
    await app?.close();
    await db.cleanup();
  });

  it('loads the demo once, prints two keys once, and the demo works as the README says', async () => {
    const env = cliEnv(db.dataDir, db.databaseUrl);
    const first = await runCli(['seed'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^demo developer \(demo-dev, role developer\): sb_\S+\ndemo reader \(demo-reader, role reader\): sb_\S+\n$/);
    expect(first.stderr).toMatch(/Installed: pack switchboard-demo 1\.0\.0 \(2 servers, 5 routes, 2 policies\)/);
    expect(first.stderr).toMatch(/demo-tools 1\.0\.0: healthy, 3 tools/);
    const again = await runCli(['seed'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/Already installed: pack switchboard-demo/);

    app = await secondApp(db);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await createMcpServer(app, { principal: { id: 'demo-dev', roles: ['developer'], attributes: {} }, transport: 'memory' }).connect(serverSide);
    const developer = new Client({ name: 'demo', version: '1' });
    await developer.connect(clientSide);
    const forecast = (await developer.callTool({ name: 'invoke', arguments: { intent: 'demo.weather.today', environment: 'prod', arguments: { city: 'Lisbon' } } })) as CallToolResult;
    expect(forecast.isError).toBeFalsy();
    expect((forecast.structuredContent as { forecast: unknown[] }).forecast).toHaveLength(3);
    expect(forecast._meta?.['switchboard/invoke']).toMatchObject({ server: 'demo-tools', tool: 'forecast' });
    expect(await callError(developer, 'job_submit', { intent: 'demo.report.build', environment: 'prod', arguments: { seconds: 1 } })).toMatch(/demo-no-prod-reports/);
    const { job } = await call<{ job: { id: string } }>(developer, 'job_submit', { intent: 'demo.report.build', environment: 'dev', arguments: { seconds: 1 } });
    expect(job.id).toBeTruthy();
    expect(textOf((await developer.callTool({ name: 'invoke', arguments: { intent: 'demo.echo', arguments: { text: 'hi' } } })) as CallToolResult)).toMatch(/: hi$/);
    await developer.close();
  });
});

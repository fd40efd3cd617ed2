// `switchboard serve --transport http` as a real process: prints a bootstrap admin key once,
// serves MCP with it, and exits cleanly on SIGTERM.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, exited, serve } from './support/cli.js';
import { createTestDatabase, providers } from './support/harness.js';

describe.each(providers)('switchboard serve --transport http [%s]', (provider) => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase(provider);
  });
  afterAll(async () => db.cleanup());

  it('prints an admin key on first start only, serves MCP with it, and stops on SIGTERM', async () => {
    const env = cliEnv(db.dataDir, db.databaseUrl);
    const first = serve(env);
    const url = await first.listening;
    const key = /^\s+(sb_\S+)$/m.exec(first.stderr())?.[1];
    expect(key).toBeDefined();

    const client = new Client({ name: 'serve-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
    expect((await client.listTools()).tools.length).toBeGreaterThan(10);
    await client.close();

    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    expect(first.stderr()).toMatch(/"msg":"shutting down"/);

    const second = serve(env);
    await second.listening;
    expect(second.stderr()).not.toMatch(/sb_/);
    second.child.kill('SIGINT');
    expect(await exited(second.child)).toBe(0);
  });
});

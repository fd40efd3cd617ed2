// End to end over stdio: spawn `switchboard stdio`, speak JSON-RPC on its stdin/stdout, and
// prove nothing but JSON-RPC reaches stdout while logs go to stderr.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliEnv, cliPath, exited } from './support/cli.js';
import { createTestDatabase, providers } from './support/harness.js';
import { describe } from 'vitest';

describe.each(providers)('switchboard stdio [%s]', (provider) => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase(provider);
  });
  afterAll(async () => db.cleanup());

  it('answers initialize and tools/list with nothing but JSON-RPC on stdout', async () => {
    const child = spawn(process.execPath, [cliPath, 'stdio'], { env: cliEnv(db.dataDir, db.databaseUrl, { SWITCHBOARD_LOG_LEVEL: 'debug' }), stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const lines: string[] = [];
    const responses = new Map<number, Record<string, unknown>>();
    const waiters = new Map<number, () => void>();
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      const message = JSON.parse(line) as { id?: number };
      if (typeof message.id === 'number') {
        responses.set(message.id, message);
        waiters.get(message.id)?.();
      }
    });
    const request = (id: number, method: string, params: object) => {
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
      return new Promise<Record<string, unknown>>((resolve) => waiters.set(id, () => resolve(responses.get(id)!)));
    };

    const init = await request(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
    expect(init.result).toMatchObject({ protocolVersion: '2025-11-25', serverInfo: { name: 'switchboard' } });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    const list = (await request(2, 'tools/list', {})) as { result: { tools: { name: string }[] } };
    expect(list.result.tools.map((t) => t.name)).toContain('registry_register');
    child.stdin.end();
    expect(await exited(child)).toBe(0);

    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(stderr).toMatch(/"msg":"serving MCP on stdio"/);
  });

  it('serves an SDK client through StdioClientTransport', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [cliPath, 'stdio'], env: cliEnv(db.dataDir, db.databaseUrl), stderr: 'ignore' });
    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(transport);
    const result = await client.callTool({
      name: 'registry_register',
      arguments: { name: 'stdio-e2e', version: '1.0.0', transport: { type: 'stdio', command: 'node' } },
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ server: { name: 'stdio-e2e', createdBy: 'local' } });
    await client.close();
  });
});

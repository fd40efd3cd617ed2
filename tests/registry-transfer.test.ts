import { beforeAll, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { call, callError, describeEachProvider, rowCounts } from './support/harness.js';

type Server = { name: string; version: string; title: string | null; transport: Record<string, unknown>; repositoryUrl: string | null; source: string };

const serverJson = {
  $schema: 'https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json',
  name: 'io.github.acme/weather',
  title: 'Weather',
  description: 'Forecasts for any city',
  version: '1.2.0',
  repository: { url: 'https://github.com/acme/weather', source: 'github' },
  packages: [
    {
      registryType: 'npm',
      identifier: '@acme/weather-mcp',
      version: '1.2.0',
      transport: { type: 'stdio' },
      environmentVariables: [{ name: 'WEATHER_API_KEY', description: 'API key', isRequired: true, isSecret: true, value: 'wk-live-12345' }],
    },
  ],
};
const remoteJson = {
  server: {
    name: 'com.example/search',
    description: 'Hosted search',
    version: '0.3.0',
    remotes: [{ type: 'streamable-http', url: 'https://search.example.com/mcp', headers: [{ name: 'X-Api-Key', value: 'sk-remote-999', isSecret: true }] }],
  },
  _meta: {},
};
const claudeDesktop = {
  mcpServers: {
    filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] },
    'GitHub Tools!': { command: 'docker', args: ['run', '-i', 'ghcr.io/github/github-mcp-server'], env: { GITHUB_TOKEN: 'ghp_secret_token_value' } },
  },
};
const vscode = { servers: { docs: { type: 'http', url: 'https://docs.example.com/mcp', headers: { Authorization: 'Bearer xyz-secret' } } } };

describeEachProvider('registry import and export', (env) => {
  let client: Client;
  const get = async (name: string) => (await call<{ server: Server }>(client, 'registry_get', { name })).server;
  beforeAll(async () => {
    client = await env.connect();
  });

  it('imports server.json (package and remote) with secrets encrypted', async () => {
    expect(await call(client, 'registry_import', { document: serverJson })).toEqual({ imported: [{ name: 'io.github.acme/weather', version: '1.2.0' }], skipped: [] });
    expect(await call(client, 'registry_import', { document: JSON.stringify(remoteJson) })).toMatchObject({ imported: [{ name: 'com.example/search' }] });
    const weather = await get('io.github.acme/weather');
    expect(weather).toMatchObject({ title: 'Weather', repositoryUrl: 'https://github.com/acme/weather', source: 'import' });
    expect(weather.transport).toEqual({ type: 'stdio', command: 'npx', args: ['-y', '@acme/weather-mcp@1.2.0'], env: { WEATHER_API_KEY: '********' } });
    expect((await get('com.example/search')).transport).toEqual({ type: 'streamable-http', url: 'https://search.example.com/mcp', headers: { 'X-Api-Key': '********' } });
    const stored = JSON.stringify(await env.app.deps.db.serverVersion.findMany());
    expect(stored).not.toContain('sk-remote-999');
    expect(stored).not.toContain('wk-live-12345');
  });

  it('imports Claude Desktop and VS Code configs, sanitising names', async () => {
    const result = await call<{ imported: { name: string }[] }>(client, 'registry_import', { document: claudeDesktop, version: '0.1.0' });
    expect(result.imported.map((s) => s.name)).toEqual(['filesystem', 'GitHub-Tools-']);
    expect((await get('GitHub-Tools-')).title).toBe('GitHub Tools!');
    await call(client, 'registry_import', { document: vscode });
    expect((await get('docs')).transport).toMatchObject({ type: 'streamable-http', url: 'https://docs.example.com/mcp' });
  });

  it('exports both formats without secrets; a server.json export imports again as the same versions', async () => {
    for (const format of ['mcpServers', 'server.json']) {
      const { document } = await call<{ document: Record<string, unknown> }>(client, 'registry_export', { format });
      const text = JSON.stringify(document);
      for (const secret of ['wk-live-12345', 'sk-remote-999', 'ghp_secret_token_value', 'xyz-secret']) expect(text).not.toContain(secret);
      expect(text).toContain('<secret>');
      if (format === 'mcpServers') continue; // client configs carry no versions: not a lossless format
      const before = await env.app.deps.db.serverVersion.count();
      const again = await call<{ imported: unknown[]; skipped: { reason: string }[] }>(client, 'registry_import', { document, onConflict: 'skip' });
      expect(again.imported).toEqual([]);
      expect(again.skipped.length).toBe(5);
      expect(await env.app.deps.db.serverVersion.count()).toBe(before);
    }
    const { document } = await call<{ document: { mcpServers: Record<string, unknown> } }>(client, 'registry_export', { format: 'mcpServers', names: ['filesystem'] });
    expect(document).toEqual({ mcpServers: { filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'], env: {} } } });
  });

  it('a server.json export of a stdio entry round-trips into a fresh registry', async () => {
    const { document } = await call<{ document: { servers: Record<string, unknown>[] } }>(client, 'registry_export', { format: 'server.json', names: ['GitHub-Tools-'] });
    const renamed = { servers: document.servers.map((s) => ({ ...s, name: 'github-copy' })) };
    await call(client, 'registry_import', { document: renamed });
    expect((await get('github-copy')).transport).toEqual({ type: 'stdio', command: 'docker', args: ['run', '-i', 'ghcr.io/github/github-mcp-server'], env: { GITHUB_TOKEN: '********' } });
  });

  it.each([
    ['malformed JSON text', { document: '{"name": ' }, /not valid JSON/],
    ['unknown registryType', { document: { ...serverJson, name: 'x', packages: [{ registryType: 'cargo', identifier: 'x' }] } }, /registryType "cargo" is not supported/],
    ['missing name', { document: { ...serverJson, name: undefined } }, /\(document\)\.name/],
    ['bad version', { document: { ...serverJson, version: 'latest' } }, /\(document\)\.version: must be a semantic version/],
    ['one bad entry among good ones', { document: { mcpServers: { good: { command: 'node' }, bad: { args: ['x'] } } } }, /mcpServers\.bad\.transport\.command/],
    ['a duplicate with onConflict fail', { document: serverJson }, /Conflict: io\.github\.acme\/weather 1\.2\.0 is already registered/],
    ['not an object', { document: '[1,2]' }, /must be a JSON object/],
  ])('refuses %s and changes nothing', async (_label, args, message) => {
    const before = await rowCounts(env.app);
    expect(await callError(client, 'registry_import', args)).toMatch(message);
    expect(await rowCounts(env.app)).toEqual(before);
  });
});

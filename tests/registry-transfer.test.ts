import { beforeAll, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { call, callError, describeEachProvider, rowCounts } from './support/harness.js';

type Server = Record<string, unknown> & { name: string; version: string; title: string | null; transport: Record<string, unknown>; metadata: Record<string, unknown> };
type ImportResult = { imported: { name: string; version: string }[]; skipped: { name: string; version: string; reason: string }[]; placeholders: { name: string; keys: string[] }[] };
type ServerJsonList = { servers: (Record<string, unknown> & { name: string })[] };

const SECRETS = ['wk-live-12345', 'sk-remote-999', 'ghp_secret_token_value', 'xyz-secret', 'lin_api_secret', 'manual-secret-1'];

/** A realistic server.json: an npm package with a secret and a plain env variable, and package arguments. */
const npmServerJson = {
  $schema: 'https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json',
  name: 'io.github.acme/weather',
  title: 'Weather',
  description: 'Forecasts for any city',
  version: '1.2.0',
  repository: { url: 'https://github.com/acme/weather', source: 'github' },
  websiteUrl: 'https://acme.example.com/weather',
  packages: [
    {
      registryType: 'npm',
      registryBaseUrl: 'https://registry.npmjs.org',
      identifier: '@acme/weather-mcp',
      version: '1.2.0',
      transport: { type: 'stdio' },
      packageArguments: [{ type: 'named', name: '--units', value: 'metric' }],
      environmentVariables: [
        { name: 'WEATHER_API_KEY', description: 'API key', isRequired: true, isSecret: true, value: 'wk-live-12345' },
        { name: 'LOG_LEVEL', description: 'Log level', isRequired: false, isSecret: false, default: 'info' },
      ],
    },
  ],
  _meta: { 'io.example/publisher': { build: 42 } },
};
/** The registry API envelope around a remote with a secret header. */
const remoteEnvelope = {
  server: {
    name: 'com.example/search',
    description: 'Hosted search',
    version: '0.3.0',
    remotes: [{ type: 'streamable-http', url: 'https://search.example.com/mcp', headers: [{ name: 'X-Api-Key', value: 'sk-remote-999', isSecret: true }] }],
  },
  _meta: { 'io.modelcontextprotocol.registry/official': { status: 'active', isLatest: true } },
};
const registryList = {
  servers: [
    { server: { name: 'io.github.acme/time', description: 'Time zones', version: '0.6.2', packages: [{ registryType: 'pypi', identifier: 'mcp-server-time', version: '0.6.2', transport: { type: 'stdio' } }] } },
    { name: 'io.github.acme/fetch', description: 'Fetches URLs', version: '1.0.0', packages: [{ registryType: 'oci', identifier: 'docker.io/acme/fetch', version: '1.0.0', transport: { type: 'stdio' } }] },
  ],
  metadata: { count: 2 },
};
const claudeDesktop = {
  mcpServers: {
    filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] },
    'GitHub Tools!': { command: 'docker', args: ['run', '-i', '--rm', 'ghcr.io/github/github-mcp-server'], env: { GITHUB_TOKEN: 'ghp_secret_token_value' } },
  },
};
const claudeCode = {
  mcpServers: {
    linear: { type: 'http', url: 'https://mcp.linear.app/mcp', headers: { Authorization: 'Bearer lin_api_secret' } },
    events: { type: 'sse', url: 'https://events.example.com/sse' },
    local: { type: 'stdio', command: 'node', args: ['server.js'], env: {} },
  },
};
const vscode = { inputs: [], servers: { docs: { type: 'http', url: 'https://docs.example.com/mcp', headers: { Authorization: 'Bearer xyz-secret' } } } };

/** Everything a registry entry holds except its identity and provenance (source, the document it came from). */
function comparable(s: Server): Record<string, unknown> {
  const { id: _id, name: _name, createdAt: _c, updatedAt: _u, source: _source, metadata, ...rest } = s;
  const { serverJson: _serverJson, ...ownMetadata } = metadata;
  return { ...rest, metadata: ownMetadata };
}

describeEachProvider('registry import and export', (env) => {
  let client: Client;
  const get = async (name: string) => (await call<{ server: Server }>(client, 'registry_get', { name })).server;
  const importDoc = (args: Record<string, unknown>) => call<ImportResult>(client, 'registry_import', args);
  const exportDoc = async <T>(args: Record<string, unknown>) => (await call<{ document: T }>(client, 'registry_export', args)).document;
  beforeAll(async () => {
    client = await env.connect();
  });

  it('imports a server.json npm package: command, arguments, env (encrypted), original kept without secrets', async () => {
    expect(await importDoc({ document: npmServerJson })).toEqual({ imported: [{ name: 'io.github.acme/weather', version: '1.2.0' }], skipped: [], placeholders: [] });
    const weather = await get('io.github.acme/weather');
    expect(weather).toMatchObject({ title: 'Weather', description: 'Forecasts for any city', repositoryUrl: 'https://github.com/acme/weather', websiteUrl: 'https://acme.example.com/weather', source: 'import', isLatest: true });
    expect(weather.transport).toEqual({ type: 'stdio', command: 'npx', args: ['-y', '@acme/weather-mcp@1.2.0', '--units', 'metric'], env: { WEATHER_API_KEY: '********', LOG_LEVEL: '********' } });
    const kept = weather.metadata.serverJson as typeof npmServerJson;
    expect(kept.packages[0]!.environmentVariables.map((e) => [e.name, 'value' in e ? e.value : e.default])).toEqual([['WEATHER_API_KEY', '<secret>'], ['LOG_LEVEL', '<secret>']]);
    expect(kept._meta).toEqual(npmServerJson._meta);
  });

  it('imports a registry API envelope (as JSON text) and a { servers } list of pypi and oci packages', async () => {
    expect(await importDoc({ document: JSON.stringify(remoteEnvelope) })).toMatchObject({ imported: [{ name: 'com.example/search', version: '0.3.0' }] });
    expect((await get('com.example/search')).transport).toEqual({ type: 'streamable-http', url: 'https://search.example.com/mcp', headers: { 'X-Api-Key': '********' } });
    expect((await importDoc({ document: registryList, format: 'server.json' })).imported.map((s) => s.name)).toEqual(['io.github.acme/time', 'io.github.acme/fetch']);
    expect((await get('io.github.acme/time')).transport).toMatchObject({ command: 'uvx', args: ['mcp-server-time==0.6.2'] });
    expect((await get('io.github.acme/fetch')).transport).toMatchObject({ command: 'docker', args: ['run', '-i', '--rm', 'docker.io/acme/fetch:1.0.0'] });
  });

  it('imports Claude Desktop, Claude Code and VS Code configs, turning keys into server names', async () => {
    const desktop = await importDoc({ document: claudeDesktop, version: '0.1.0' });
    expect(desktop.imported).toEqual([{ name: 'filesystem', version: '0.1.0' }, { name: 'GitHub-Tools', version: '0.1.0' }]);
    expect(await get('GitHub-Tools')).toMatchObject({ title: 'GitHub Tools!', transport: { type: 'stdio', command: 'docker', env: { GITHUB_TOKEN: '********' } } });
    expect((await get('filesystem')).title).toBeNull();
    expect((await importDoc({ document: JSON.stringify(claudeCode) })).imported.map((s) => `${s.name}@${s.version}`)).toEqual(['linear@1.0.0', 'events@1.0.0', 'local@1.0.0']);
    expect((await get('linear')).transport).toEqual({ type: 'streamable-http', url: 'https://mcp.linear.app/mcp', headers: { Authorization: '********' } });
    expect((await get('events')).transport).toEqual({ type: 'sse', url: 'https://events.example.com/sse', headers: {} });
    await importDoc({ document: vscode });
    expect((await get('docs')).transport).toEqual({ type: 'streamable-http', url: 'https://docs.example.com/mcp', headers: { Authorization: '********' } });
    const stored = JSON.stringify(await env.app.deps.db.serverVersion.findMany());
    for (const secret of SECRETS) expect(stored).not.toContain(secret);
  });

  it('never exports a secret, in either format, in structured content or text', async () => {
    await call(client, 'registry_register', {
      name: 'manual',
      version: '2.1.0',
      title: 'Manual entry',
      description: 'Registered by hand',
      transport: { type: 'stdio', command: 'node', args: ['manual.js'], cwd: '/srv/manual', env: { MANUAL_TOKEN: 'manual-secret-1' } },
      tags: ['internal', 'tier:1'],
      priority: 'high',
      isRequired: true,
      dependencies: [{ name: 'io.github.acme/weather', range: '^1.0.0' }],
      metadata: { owner: 'team-a' },
      costPerCall: 0.5,
    });
    for (const format of ['mcpServers', 'server.json']) {
      const result = (await client.callTool({ name: 'registry_export', arguments: { format } })) as CallToolResult;
      const everything = JSON.stringify(result);
      for (const secret of SECRETS) expect(everything, `${format} ${secret}`).not.toContain(secret);
      expect(everything).toContain('<secret>');
    }
    const { mcpServers } = await exportDoc<{ mcpServers: Record<string, unknown> }>({ format: 'mcpServers', names: ['filesystem', 'docs', 'manual'] });
    expect(mcpServers).toEqual({
      docs: { type: 'http', url: 'https://docs.example.com/mcp', headers: { Authorization: '<secret>' } },
      filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] },
      manual: { command: 'node', args: ['manual.js'], env: { MANUAL_TOKEN: '<secret>' }, cwd: '/srv/manual' },
    });
    expect(await callError(client, 'registry_export', { format: 'mcpServers', names: ['nope'] })).toMatch(/NotFound: Not registered .*nope/);
  });

  it('server.json export round-trips: imported under new names, entries are equal except secrets', async () => {
    const exported = await exportDoc<ServerJsonList>({ format: 'server.json' });
    const originals = exported.servers.map((s) => s.name);
    expect(originals).toHaveLength(11);
    expect(exported.servers.find((s) => s.name === 'io.github.acme/weather')).toMatchObject({ packages: [{ identifier: '@acme/weather-mcp' }], _meta: npmServerJson._meta });
    const renamed = { servers: exported.servers.map((s) => ({ ...s, name: `copy-${s.name}` })) };
    const result = await importDoc({ document: renamed });
    expect(result.imported).toHaveLength(11);
    expect(result.placeholders.map((p) => p.name).sort()).toEqual(
      ['com.example/search', 'GitHub-Tools', 'docs', 'io.github.acme/weather', 'linear', 'manual'].map((n) => `copy-${n}`).sort(),
    );
    for (const name of originals) expect(comparable(await get(`copy-${name}`)), name).toEqual(comparable(await get(name)));
    // The copies export as the same documents: nothing was lost on the way through. (A description
    // server.json requires but the entry lacks is made up from the name, and marked as such.)
    const again = await exportDoc<ServerJsonList>({ format: 'server.json', names: renamed.servers.map((s) => s.name) });
    const madeUp = (s: Record<string, unknown>) => (s._meta as Record<string, { description?: null }> | undefined)?.['io.switchboard/registry']?.description === null;
    const normal = (list: ServerJsonList) => list.servers.map((s) => (madeUp(s) ? { ...s, description: '(made up)' } : s));
    expect(normal(again)).toEqual(normal(renamed));
  });

  it('mcpServers export round-trips the transports', async () => {
    const { mcpServers } = await exportDoc<{ mcpServers: Record<string, unknown> }>({ format: 'mcpServers', names: ['filesystem', 'linear', 'manual'] });
    const renamed = Object.fromEntries(Object.entries(mcpServers).map(([k, v]) => [`mc-${k}`, v]));
    await importDoc({ document: { mcpServers: renamed }, version: '3.0.0' });
    for (const name of ['filesystem', 'linear', 'manual']) expect((await get(`mc-${name}`)).transport).toEqual((await get(name)).transport);
  });

  it('onConflict: fail rolls the whole import back; skip imports the rest', async () => {
    const doc = { servers: [{ ...npmServerJson, name: 'io.github.acme/fresh' }, npmServerJson] };
    const before = await rowCounts(env.app);
    expect(await callError(client, 'registry_import', { document: doc })).toMatch(/^Conflict: io\.github\.acme\/weather 1\.2\.0 is already registered/);
    expect(await rowCounts(env.app)).toEqual(before);
    expect(await importDoc({ document: doc, onConflict: 'skip' })).toEqual({
      imported: [{ name: 'io.github.acme/fresh', version: '1.2.0' }],
      skipped: [{ name: 'io.github.acme/weather', version: '1.2.0', reason: 'already registered' }],
      placeholders: [],
    });
  });

  const bad = (patch: Record<string, unknown>) => ({ ...npmServerJson, name: 'io.github.acme/bad', ...patch });
  it.each([
    ['malformed JSON text', { document: '{\n  "name": "x",\n  "version": ,\n}' }, [/not valid JSON: it fails at line 3, column 14/]],
    ['truncated JSON text', { document: '{"name": "x", "vers' }, [/not valid JSON: it fails at the end/]],
    ['an unknown registryType', { document: bad({ packages: [{ registryType: 'cargo', identifier: 'x' }] }) }, [/\(document\)\.packages\[0\]\.registryType "cargo" is not supported: use npm, pypi or oci/]],
    ['a missing name', { document: bad({ name: undefined }) }, [/- \(document\)\.name: /]],
    ['a bad version', { document: bad({ version: 'latest' }) }, [/- \(document\)\.version: must be a semantic version/]],
    ['no way to reach the server', { document: bad({ packages: undefined }) }, [/has no remotes or packages/]],
    ['a secret command-line argument', { document: bad({ packages: [{ ...npmServerJson.packages[0], packageArguments: [{ type: 'named', name: '--token', value: 't', isSecret: true }] }] }) }, [/packageArguments\[0\] is a secret argument/]],
    [
      'good and bad entries mixed',
      {
        document: {
          servers: [
            bad({ name: 'io.github.acme/good' }),
            bad({ version: 'v1' }),
            { server: bad({ packages: [{ registryType: 'nuget', identifier: 'x' }] }) },
            bad({ remotes: [{ type: 'websocket', url: 'wss://x' }] }),
            bad({ remotes: [{ type: 'sse', url: 'ftp://x' }] }),
          ],
        },
      },
      [/- servers\[1\]\.version: must be a semantic version/, /- servers\[2\]\.server\.packages\[0\]\.registryType "nuget"/, /- servers\[3\]\.remotes\[0\]\.type "websocket" is not supported/, /- servers\[4\]\.remotes\[0\]\.url: must be an http/],
    ],
    [
      'bad client config entries',
      { document: { mcpServers: { good: { command: 'node' }, 'no-command': { args: ['x'] }, '!!!': { command: 'node' }, env: { command: 'node', env: { 'BAD-NAME': 'x' } }, ws: { type: 'ws', url: 'wss://x' } } } },
      [/- mcpServers\["no-command"\] has neither a command/, /- mcpServers\["!!!"\]: the key has no letters or digits/, /- mcpServers\.env\.env\.BAD-NAME: must be an environment variable name/, /- mcpServers\.ws\.type "ws" is not supported/],
    ],
    ['the same version twice', { document: { servers: [bad({}), bad({})] } }, [/- servers\[1\]: io\.github\.acme\/bad 1\.2\.0 appears twice in the document \(also at servers\[0\]\)/]],
    ['not an object', { document: '[1, 2]' }, [/must be a JSON object/]],
    ['an empty list', { document: { servers: [] } }, [/holds no servers/]],
  ])('refuses %s, names each problem and changes nothing', async (_label, args, messages) => {
    const before = await rowCounts(env.app);
    const text = await callError(client, 'registry_import', args);
    expect(text).toMatch(/^Invalid: /);
    for (const message of messages) expect(text).toMatch(message);
    expect(await rowCounts(env.app)).toEqual(before);
  });
});

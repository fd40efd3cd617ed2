import { statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { call, describeEachProvider } from './support/harness.js';

const server = (name: string, version: string) => ({ name, version, transport: { type: 'streamable-http', url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer top-secret' } } });

describeEachProvider('registry resources', (env) => {
  let client: Client;
  beforeAll(async () => {
    client = await env.connect();
    await call(client, 'registry_register', server('io.github.acme/maps', '1.0.0'));
    await call(client, 'registry_register', server('io.github.acme/maps', '1.1.0'));
    await call(client, 'registry_register', server('io.github.acme/mail', '0.1.0'));
  });

  it('lists the servers resource and the two templates', async () => {
    expect((await client.listResources()).resources.map((r) => r.uri)).toContain('switchboard://servers');
    expect((await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toEqual(
      expect.arrayContaining(['switchboard://servers/{name}', 'switchboard://servers/{name}/{version}']),
    );
  });

  it('reads the latest version, a named version, and the list — secrets masked', async () => {
    const read = async (uri: string) => {
      const { contents } = await client.readResource({ uri });
      return JSON.parse((contents[0] as { text: string }).text);
    };
    expect(await read('switchboard://servers/io.github.acme%2Fmaps')).toMatchObject({ version: '1.1.0', transport: { headers: { Authorization: '********' } } });
    expect(await read('switchboard://servers/io.github.acme%2Fmaps/1.0.0')).toMatchObject({ version: '1.0.0' });
    const all = (await read('switchboard://servers')) as { name: string }[];
    expect(all.map((s) => s.name)).toEqual(['io.github.acme/mail', 'io.github.acme/maps']);
    expect(JSON.stringify(all)).not.toContain('top-secret');
  });

  it('an unknown server is a resource-not-found error', async () => {
    await expect(client.readResource({ uri: 'switchboard://servers/nope' })).rejects.toMatchObject({ code: -32002 });
  });

  it('completes server names in the template', async () => {
    const { completion } = await client.complete({ ref: { type: 'ref/resource', uri: 'switchboard://servers/{name}' }, argument: { name: 'name', value: 'io.github.acme/ma' } });
    expect(completion.values).toEqual(['io.github.acme/mail', 'io.github.acme/maps']);
  });

  it('generated the secret key into the data directory, readable by the owner only', () => {
    expect(statSync(join(env.dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
  });
});

// Bad input to every registry tool gets an isError that says what was wrong and how to fix it,
// and leaves the database exactly as it was.
import { beforeAll, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { call, callError, describeEachProvider, rowCounts } from './support/harness.js';

const valid = {
  name: 'io.github.acme/files',
  version: '1.0.0',
  transport: { type: 'stdio', command: 'node', args: ['files.js'] },
};

const cases: [string, string, Record<string, unknown>, RegExp][] = [
  ['register: wrong type', 'registry_register', { ...valid, version: 1 }, /version: Invalid input: expected string/],
  ['register: missing transport', 'registry_register', { name: 'x', version: '1.0.0' }, /transport: Invalid input/],
  ['register: bad semver', 'registry_register', { ...valid, version: '1.0' }, /version: must be a semantic version such as 1\.2\.0/],
  ['register: bad name', 'registry_register', { ...valid, name: 'has spaces' }, /name: must be a reverse-DNS name/],
  ['register: unknown transport', 'registry_register', { ...valid, transport: { type: 'carrier-pigeon' } }, /transport\.type/],
  ['register: http without url', 'registry_register', { ...valid, transport: { type: 'streamable-http' } }, /transport\.url/],
  ['register: non-http url', 'registry_register', { ...valid, transport: { type: 'sse', url: 'ftp://x' } }, /must be an http:\/\/ or https:\/\/ URL/],
  ['register: oversized title', 'registry_register', { ...valid, title: 'x'.repeat(201) }, /title: Too big/],
  ['register: oversized metadata', 'registry_register', { ...valid, metadata: { blob: 'x'.repeat(20_000) } }, /metadata must be at most 16 kB/],
  ['register: bad tag', 'registry_register', { ...valid, tags: ['Not Lowercase'] }, /tags are lowercase/],
  ['register: bad dependency range', 'registry_register', { ...valid, dependencies: [{ name: 'db', range: 'latest!' }] }, /must be a semver range/],
  ['register: duplicate version', 'registry_register', valid, /Conflict: .* already registered/],
  ['update: nothing to change', 'registry_update', { name: valid.name, version: '1.0.0' }, /Nothing to update/],
  ['update: unknown server', 'registry_update', { name: 'nope', version: '1.0.0', status: 'disabled' }, /NotFound: No registered server nope 1\.0\.0/],
  ['update: bad status', 'registry_update', { name: valid.name, version: '1.0.0', status: 'retired' }, /status: Invalid option/],
  ['get: unknown server', 'registry_get', { name: 'nope' }, /NotFound: No server named nope .* registry_search/],
  ['get: unknown version', 'registry_get', { name: valid.name, version: '9.9.9' }, /has no version 9\.9\.9\. Known versions: 1\.0\.0/],
  ['list: bad cursor', 'registry_list', { cursor: 'garbage' }, /cursor is not one this server issued/],
  ['list: limit too large', 'registry_list', { limit: 1000 }, /limit: Too big/],
  ['deregister: unknown server', 'registry_deregister', { name: 'nope' }, /NotFound/],
  ['restore: not deregistered', 'registry_restore', { name: valid.name }, /NotFound: No deregistered server/],
];

describeEachProvider('registry input validation', (env) => {
  let client: Client;
  beforeAll(async () => {
    client = await env.connect();
    await call(client, 'registry_register', valid);
  });

  it.each(cases)('%s', async (_label, tool, args, message) => {
    const before = await rowCounts(env.app);
    const text = await callError(client, tool, args);
    expect(text).toMatch(message);
    expect(await rowCounts(env.app)).toEqual(before);
  });

  it('an unknown tool is a JSON-RPC invalid-params error, not a tool result', async () => {
    await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toMatchObject({ code: -32602 });
  });
});

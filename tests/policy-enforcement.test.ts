// Policies guard every Switchboard tool: the bootstrap set, denials that change nothing, tools/list
// filtered per principal, and policy_* tools themselves.
import { beforeAll, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { call, callError, describeEachProvider, rowCounts } from './support/harness.js';

const reader = { id: 'rita', roles: ['reader'], attributes: { team: 'core' } };
const nobody = { id: 'nemo', roles: [], attributes: {} };
const server = { name: 'guarded', version: '1.0.0', transport: { type: 'stdio', command: 'node' } };

describeEachProvider('policy enforcement', (env) => {
  let admin: Client;
  beforeAll(async () => {
    admin = await env.connect();
    await call(admin, 'registry_register', server);
  });

  it('a fresh database has the bootstrap policies', async () => {
    const { policies } = await call<{ policies: { name: string; source: string }[] }>(admin, 'policy_list');
    expect(policies.map((p) => [p.name, p.source])).toEqual([
      ['bootstrap.admin-all', 'bootstrap'],
      ['bootstrap.reader-read-only', 'bootstrap'],
    ]);
  });

  it('a reader may read but is denied a write, and the write changes nothing', async () => {
    const client = await env.connect(reader);
    expect(await call(client, 'registry_get', { name: 'guarded' })).toMatchObject({ server: { name: 'guarded' } });
    const before = await rowCounts(env.app);
    const text = await callError(client, 'registry_register', { ...server, version: '2.0.0' });
    expect(text).toMatch(/^Denied: .*registry_register/);
    expect(await rowCounts(env.app)).toEqual(before);
  });

  it('tools/list shows each principal only what it may call', async () => {
    const names = async (c: Client) => (await c.listTools()).tools.map((t) => t.name);
    const all = await names(admin);
    const read = await names(await env.connect(reader));
    expect(all).toContain('registry_register');
    expect(read).toContain('registry_get');
    expect(read).not.toContain('registry_register');
    expect(read).not.toContain('key_list');
    expect(read.length).toBeLessThan(all.length);
    expect(await names(await env.connect(nobody))).toEqual([]);
  });

  it('deny overrides allow, scoped by resource; policy changes apply at once', async () => {
    await call(admin, 'policy_create', { name: 'no-deregister-guarded', effect: 'deny', principals: ['role:admin'], actions: ['registry_deregister'], resources: ['guarded'] });
    expect(await callError(admin, 'registry_deregister', { name: 'guarded' })).toMatch(/Denied: .*no-deregister-guarded/);
    await call(admin, 'policy_update', { name: 'no-deregister-guarded', enabled: false });
    expect(await call(admin, 'registry_deregister', { name: 'guarded' })).toMatchObject({ servers: [{ name: 'guarded' }] });
    await call(admin, 'registry_restore', { name: 'guarded' });
    await call(admin, 'policy_delete', { name: 'no-deregister-guarded' });
  });

  it('policy_evaluate explains the decision and the near misses', async () => {
    await call(admin, 'policy_create', {
      name: 'core-team-invoke',
      effect: 'allow',
      principals: ['role:reader'],
      actions: ['invoke'],
      resources: ['billing.**'],
      conditions: [{ attribute: 'principal.attributes.team', operator: 'eq', value: 'core' }],
    });
    const allowed = await call<{ decision: string; deciding: { name: string }[] }>(admin, 'policy_evaluate', { principal: reader, action: 'invoke', resource: 'billing.invoice.create' });
    expect(allowed).toMatchObject({ decision: 'allow', deciding: [{ name: 'core-team-invoke' }] });
    const denied = await call<{ decision: string; nearMisses: { name: string; why: string }[] }>(admin, 'policy_evaluate', {
      principal: { ...reader, attributes: { team: 'ops' } },
      action: 'invoke',
      resource: 'billing.invoice.create',
      explain: true,
    });
    expect(denied.decision).toBe('deny');
    expect(denied.nearMisses).toContainEqual({ name: 'core-team-invoke', effect: 'allow', why: expect.stringMatching(/principal\.attributes\.team.*ops/) });
  });

  it.each([
    [{ name: 'x', effect: 'allow', principals: ['root'], actions: ['*'] }, /is not user:<id>, role:<name> or \*/],
    [{ name: 'x', effect: 'allow', principals: ['*'], actions: ['*'], conditions: [{ attribute: 'context.ip', operator: 'cidr', value: '10.0.0.0/99' }] }, /cidr/],
    [{ name: 'x', effect: 'allow', principals: ['*'], actions: ['*'], conditions: [{ attribute: 'resource', operator: 'matches', value: '(a+)+$' }] }, /conditions\.0\.value/],
    [{ name: 'bootstrap.admin-all', effect: 'allow', principals: ['*'], actions: ['*'] }, /Conflict: A policy named bootstrap.admin-all exists already/],
  ])('refuses a bad policy %#, changing nothing', async (policy, message) => {
    const before = await rowCounts(env.app);
    expect(await callError(admin, 'policy_create', policy)).toMatch(message);
    expect(await rowCounts(env.app)).toEqual(before);
  });
});

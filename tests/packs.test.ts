// Packs through a real SDK client on each provider: install, list, export and uninstall as one
// unit, all or nothing, secrets sealed, policies enforced; and the CLI installing a file.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseManifest } from '../src/domain/packs/schema.js';
import { packSchemaPath, packSchemaText } from '../scripts/pack-schema.js';
import { cliEnv, runCli } from './support/cli.js';
import { call, callError, describeEachProvider, rowCounts } from './support/harness.js';

type Manifest = { name: string; version: string; description?: string; servers: Record<string, unknown>[]; routes: Record<string, unknown>[]; policies: Record<string, unknown>[] };
type PackView = { id: string; name: string; version: string; servers: number; routes: number; policies: number };
type Installed = { status: string; pack: PackView; replaced?: string; placeholders: { name: string; keys: string[] }[] };
type Uninstalled = { removed: { servers: { name: string }[]; routes: string[]; policies: string[] }; kept: string[] };

const SECRETS = ['wk-live-pack-7781', 'sk-pack-remote-4410'];

function billingPack(version = '1.0.0'): Manifest {
  return {
    name: 'acme-billing',
    version,
    description: 'Invoices and payments for the core team',
    servers: [
      { name: 'io.github.acme/invoices', version: '2.1.0', title: 'Invoices', transport: { type: 'stdio', command: 'npx', args: ['-y', '@acme/invoices-mcp'], env: { INVOICES_API_KEY: SECRETS[0] } }, tags: ['billing'] },
      { name: 'io.github.acme/payments', version: '1.4.0', transport: { type: 'streamable-http', url: 'https://payments.example.com/mcp', headers: { Authorization: `Bearer ${SECRETS[1]}` } } },
    ],
    routes: [
      { intentPattern: 'billing.invoice.*', environment: 'prod', serverName: 'io.github.acme/invoices', versionRange: '^2.0.0', toolName: 'create_invoice', priority: 10 },
      { intentPattern: 'billing.payment.**', serverName: 'io.github.acme/payments', toolName: 'charge' },
    ],
    policies: [{ name: 'acme-billing.core-invoke', effect: 'allow', principals: ['role:developer'], actions: ['invoke'], resources: ['billing.**'], environments: ['prod'], conditions: [{ attribute: 'principal.attributes.team', operator: 'eq', value: 'core' }] }],
  };
}

/** The manifest as export writes it: every secret value is the placeholder. */
function masked(m: Manifest): Manifest {
  const servers = m.servers.map((s) => {
    const t = s.transport as Record<string, unknown>;
    const key = t.type === 'stdio' ? 'env' : 'headers';
    return { ...s, transport: { ...t, [key]: Object.fromEntries(Object.keys(t[key] as object).map((k) => [k, '<secret>'])) } };
  });
  return { ...m, servers };
}

it('schemas/pack.schema.json is generated from the zod schema (npm run docs), and checks manifests', () => {
  const text = readFileSync(packSchemaPath, 'utf8');
  expect(text).toBe(packSchemaText());
  const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(JSON.parse(text) as object);
  expect(validate(billingPack())).toBe(true);
  expect(validate({ ...billingPack(), polices: [] })).toBe(false);
});

it('the README’s example manifest installs as written', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const example = /```json\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('## Packs')))?.[1];
  expect(parseManifest(JSON.parse(example ?? 'null'))).toMatchObject({ name: 'acme-billing', servers: [{ name: 'io.github.acme/invoices' }] });
});

describeEachProvider('packs', (env) => {
  let admin: Client;
  const install = (manifest: unknown) => call<Installed>(admin, 'pack_install', { manifest });
  const exported = async (name: string) => (await call<{ manifest: Manifest }>(admin, 'pack_export', { name })).manifest;
  const packs = async () => (await call<{ packs: PackView[] }>(admin, 'pack_list')).packs;
  beforeAll(async () => {
    admin = await env.connect();
  });

  it('installs, lists and exports a pack; rows record the pack; the export installs again', async () => {
    const first = await install(billingPack());
    expect(first).toMatchObject({ status: 'installed', pack: { name: 'acme-billing', version: '1.0.0', servers: 2, routes: 2, policies: 1 }, placeholders: [] });
    expect(await packs()).toEqual([first.pack]);

    const { server } = await call<{ server: { source: string; packId: string } }>(admin, 'registry_get', { name: 'io.github.acme/invoices' });
    expect(server).toMatchObject({ source: 'pack', packId: first.pack.id });
    const { routes } = await call<{ routes: { source: string }[] }>(admin, 'route_list');
    expect(routes.map((r) => r.source)).toEqual(['pack', 'pack']);
    // The route cache saw the install: the intent resolves at once.
    expect(await call(admin, 'route_resolve', { intent: 'billing.invoice.create', environment: 'prod' })).toMatchObject({ server: 'io.github.acme/invoices', tool: 'create_invoice' });

    const manifest = await exported('acme-billing');
    expect(manifest).toMatchObject(masked(billingPack()));
    await call(admin, 'pack_uninstall', { name: 'acme-billing' });
    const again = await install(manifest);
    expect(again).toMatchObject({ status: 'installed', placeholders: [{ name: 'io.github.acme/invoices', keys: ['INVOICES_API_KEY'] }, { name: 'io.github.acme/payments', keys: ['Authorization'] }] });
    expect(await exported('acme-billing')).toEqual(manifest);
    await call(admin, 'pack_uninstall', { name: 'acme-billing' });
  });

  it('the same name and version again changes nothing; other content under that version is refused', async () => {
    await install(billingPack());
    const before = await rowCounts(env.app);
    expect(await install(billingPack())).toMatchObject({ status: 'unchanged' });
    expect(await rowCounts(env.app)).toEqual(before);
    const otherSecret = billingPack();
    (otherSecret.servers[0]!.transport as { env: Record<string, string> }).env.INVOICES_API_KEY = 'rotated';
    expect(await callError(admin, 'pack_install', { manifest: otherSecret })).toMatch(/Conflict: acme-billing 1.0.0 is installed with different content/);
    expect(await rowCounts(env.app)).toEqual(before);
    await call(admin, 'pack_uninstall', { name: 'acme-billing' });
  });

  it('another version upgrades in place, in one step', async () => {
    await install(billingPack('1.0.0'));
    const next = billingPack('1.1.0');
    next.routes = [{ intentPattern: 'billing.refund.*', serverName: 'io.github.acme/payments', toolName: 'refund' }];
    const upgraded = await install(next);
    expect(upgraded).toMatchObject({ status: 'upgraded', replaced: '1.0.0', pack: { version: '1.1.0', servers: 2, routes: 1, policies: 1 } });
    const { routes } = await call<{ routes: { intentPattern: string }[] }>(admin, 'route_list');
    expect(routes.map((r) => r.intentPattern)).toEqual(['billing.refund.*']);
    await call(admin, 'pack_uninstall', { name: 'acme-billing' });
  });

  it('all or nothing: one bad policy, or one name already taken, leaves nothing behind and names the entry', async () => {
    const before = await rowCounts(env.app);
    const bad = billingPack();
    bad.policies.push({ name: 'acme-billing.bad', effect: 'maybe', principals: ['role:developer'], actions: ['invoke'] });
    expect(await callError(admin, 'pack_install', { manifest: bad })).toMatch(/manifest\.policies\.1\.effect/);
    expect(await rowCounts(env.app)).toEqual(before);

    await call(admin, 'policy_create', { name: 'acme-billing.core-invoke', effect: 'deny', principals: ['*'], actions: ['invoke'] });
    const taken = await rowCounts(env.app);
    const text = await callError(admin, 'pack_install', { manifest: billingPack() });
    expect(text).toMatch(/Nothing was installed[\s\S]*policies\[0\]: a policy named acme-billing.core-invoke exists already/);
    expect(await rowCounts(env.app)).toEqual(taken);
    await call(admin, 'policy_delete', { name: 'acme-billing.core-invoke' });
  });

  it('uninstall removes exactly the pack’s rows; manual rows stay; changed rows fail it unless onChanged says', async () => {
    await call(admin, 'registry_register', { name: 'manual-tools', version: '1.0.0', transport: { type: 'stdio', command: 'node' } });
    await call(admin, 'route_create', { intentPattern: 'billing.invoice.*', serverName: 'manual-tools', toolName: 'x' });
    await call(admin, 'policy_create', { name: 'manual.allow', effect: 'allow', principals: ['user:ann'], actions: ['registry_get'] });
    const manual = await rowCounts(env.app);
    await install(billingPack());
    await call(admin, 'policy_update', { name: 'acme-billing.core-invoke', enabled: false });

    const text = await callError(admin, 'pack_uninstall', { name: 'acme-billing' });
    expect(text).toMatch(/Conflict: Nothing was uninstalled[\s\S]*- policy acme-billing.core-invoke/);
    const kept = await call<Uninstalled>(admin, 'pack_uninstall', { name: 'acme-billing', onChanged: 'keep' });
    expect(kept.removed.servers.map((s) => s.name)).toEqual(['io.github.acme/invoices', 'io.github.acme/payments']);
    expect(kept.removed.routes).toHaveLength(2);
    expect(kept).toMatchObject({ removed: { policies: [] }, kept: ['policy acme-billing.core-invoke'] });

    const after = await rowCounts(env.app);
    expect({ ...after, audit: 0 }).toEqual({ ...manual, policies: manual.policies! + 1, audit: 0 });
    expect(after.audit).toBeGreaterThan(manual.audit!);
    const { policies } = await call<{ policies: { name: string; source: string }[] }>(admin, 'policy_list');
    expect(policies.find((p) => p.name === 'acme-billing.core-invoke')).toMatchObject({ source: 'manual' });
    expect(await call(admin, 'route_resolve', { intent: 'billing.invoice.create' })).toMatchObject({ server: 'manual-tools' });
    expect(await packs()).toEqual([]);
    await call(admin, 'policy_delete', { name: 'acme-billing.core-invoke' });
  });

  it('a changed server blocks an upgrade, naming it; onChanged remove removes it with the rest', async () => {
    await install(billingPack());
    await call(admin, 'registry_update', { name: 'io.github.acme/payments', version: '1.4.0', status: 'deprecated' });
    const before = await rowCounts(env.app);
    expect(await callError(admin, 'pack_install', { manifest: billingPack('1.1.0') })).toMatch(/Conflict: Nothing was installed: upgrading acme-billing 1.0.0 to 1.1.0[\s\S]*- server io.github.acme\/payments 1.4.0/);
    expect(await rowCounts(env.app)).toEqual(before);
    const removed = await call<Uninstalled>(admin, 'pack_uninstall', { name: 'acme-billing', onChanged: 'remove' });
    expect(removed).toMatchObject({ removed: { servers: [{ name: 'io.github.acme/invoices' }, { name: 'io.github.acme/payments' }], policies: ['acme-billing.core-invoke'] }, kept: [] });
    expect(await env.app.deps.db.serverVersion.count({ where: { name: { startsWith: 'io.github.acme/' } } })).toBe(0);
  });

  it('keeps server secrets sealed: not in the rows, the stored manifest, audit events or traces', async () => {
    await install(billingPack());
    await env.app.deps.traces.flush();
    const db = env.app.deps.db;
    const stored = JSON.stringify([await db.serverVersion.findMany(), await db.pack.findMany(), await db.auditEvent.findMany(), await db.trace.findMany()]);
    for (const secret of SECRETS) expect(stored).not.toContain(secret);
    const row = await db.serverVersion.findFirstOrThrow({ where: { name: 'io.github.acme/invoices' } });
    expect(env.app.deps.secrets.open(row.secrets!)).toEqual({ env: { INVOICES_API_KEY: SECRETS[0] } });
    await call(admin, 'pack_uninstall', { name: 'acme-billing' });
  });

  it('is denied to a principal without permission, and a pack cannot do what its installer may not', async () => {
    const before = await rowCounts(env.app);
    const reader = await env.connect({ id: 'rita', roles: ['reader'], attributes: {} });
    expect(await callError(reader, 'pack_install', { manifest: billingPack() })).toMatch(/^Denied: .*pack_install/);
    expect(await call(reader, 'pack_list')).toEqual({ packs: [] });

    await call(admin, 'policy_create', { name: 'packager.install', effect: 'allow', principals: ['role:packager'], actions: ['pack_install', 'registry_register', 'route_create'] });
    const withPolicies = await rowCounts(env.app);
    const packager = await env.connect({ id: 'pat', roles: ['packager'], attributes: {} });
    expect(await callError(packager, 'pack_install', { manifest: billingPack() })).toMatch(/^Denied: Nothing was installed[\s\S]*policies\[0\]: policy_create on acme-billing.core-invoke/);
    expect(await rowCounts(env.app)).toEqual(withPolicies);
    await call(admin, 'policy_delete', { name: 'packager.install' });
    expect((await rowCounts(env.app)).packs).toBe(before.packs);
  });

  it('the CLI installs a manifest file, exports it, and explains a bad file', async () => {
    const cli = cliEnv(env.dataDir, env.databaseUrl);
    const file = join(env.dataDir, 'billing.pack.json');
    writeFileSync(file, JSON.stringify(billingPack()));
    const installed = await runCli(['pack', 'install', file], cli);
    expect(installed.stderr).toBe('');
    expect(installed).toMatchObject({ code: 0, stdout: 'Installed acme-billing 1.0.0: 2 server(s), 2 route(s), 1 policies\n' });
    expect((await packs()).map((p) => p.name)).toEqual(['acme-billing']);
    const out = await runCli(['pack', 'export', 'acme-billing'], cli);
    expect(JSON.parse(out.stdout)).toEqual(await exported('acme-billing'));

    const missing = await runCli(['pack', 'install', join(env.dataDir, 'nope.json')], cli);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file/);
    expect((await runCli(['pack', 'install'], cli)).code).toBe(2);
    const badFile = join(env.dataDir, 'bad.pack.json');
    writeFileSync(badFile, JSON.stringify({ ...billingPack('2.0.0'), policies: [{ name: 'x', effect: 'maybe', principals: ['*'], actions: ['invoke'] }] }));
    const bad = await runCli(['pack', 'install', badFile], cli);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/policies\[0\]\.effect/);
    const help = await runCli(['pack', 'install', '--help']);
    expect(help).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: switchboard pack install/) });
    await call(admin, 'pack_uninstall', { name: 'acme-billing' });
    // Each CLI run starts a process on the database; give a loaded machine room.
  }, 90_000);
});

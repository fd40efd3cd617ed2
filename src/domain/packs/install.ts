// pack_install: every row of the manifest in one transaction, or none. Another version of an
// installed pack is replaced in the same transaction (an upgrade, or a rollback to an older one).
import { audit } from '../audit.js';
import { bumpTopic } from '../change-feed.js';
import type { Deps } from '../deps.js';
import { Conflict } from '../errors.js';
import { insertPolicy } from '../policy/store.js';
import type { Principal } from '../principal.js';
import { SECRET_PLACEHOLDER } from '../registry/formats.js';
import { insertServer } from '../registry/register.js';
import { insertRoute } from '../routes/crud.js';
import { isUniqueViolation, type Tx } from '../../store/index.js';
import { authorizeEntries, type Enforcement } from './authorize.js';
import { toPackView } from './read.js';
import { canonical, changedRows, entriesOf, maskManifest, packRows } from './rows.js';
import type { InstallResult, PackManifest } from './schema.js';
import { removeRows } from './uninstall.js';

export async function installPack(deps: Deps, principal: Principal, manifest: PackManifest, enforcement: Enforcement = { enforce: false }): Promise<InstallResult> {
  // Authorized before the transaction: a policy check may read the database, which on SQLite waits for the writer.
  await authorizeEntries(deps, principal, manifest, 'install', enforcement);
  const current = await deps.db.pack.findUnique({ where: { name: manifest.name }, select: { id: true, version: true } });
  if (current && current.version !== manifest.version) await authorizeEntries(deps, principal, entriesOf(await packRows(deps.db, current.id)), 'uninstall', enforcement);
  const stored = maskManifest(manifest);
  let result: InstallResult;
  try {
    // A pack can hold hundreds of rows; the default 5 s interactive-transaction limit is too short.
    result = await deps.db.$transaction((tx) => apply(tx, deps, principal, manifest, stored), { timeout: 120_000, maxWait: 10_000 });
  } catch (error) {
    if (isUniqueViolation(error)) throw new Conflict(`Someone else installed ${manifest.name} or registered one of its servers or policies during this install; nothing was installed. Check pack_list and install again.`);
    throw error;
  }
  if (result.status !== 'unchanged') for (const topic of ['servers', 'routes', 'policies'] as const) deps.feed.touch(topic);
  return result;
}

async function apply(tx: Tx, deps: Deps, principal: Principal, manifest: PackManifest, stored: PackManifest): Promise<InstallResult> {
  const installed = await tx.pack.findUnique({ where: { name: manifest.name } });
  let replaced: string | undefined;
  if (installed) {
    const rows = await packRows(tx, installed.id);
    if (installed.version === manifest.version) {
      if (canonical(installed.manifest) === canonical(stored) && sameSecrets(deps, rows.servers, manifest)) {
        return { status: 'unchanged', pack: toPackView(installed, rows), placeholders: [] };
      }
      throw new Conflict(
        `${manifest.name} ${manifest.version} is installed with different content (a pack version is immutable). Give the manifest a new version to upgrade in place, or pack_uninstall ${manifest.name} first.`,
      );
    }
    const changed = changedRows(rows, installed.manifest as PackManifest);
    if (changed.length > 0) {
      throw new Conflict(
        `Nothing was installed: upgrading ${manifest.name} ${installed.version} to ${manifest.version} would remove rows changed since they were installed:\n${changed.map((c) => `- ${c.label}`).join('\n')}\nRevert those changes, or pack_uninstall ${manifest.name} with onChanged "keep" or "remove" first, then install.`,
      );
    }
    await removeRows(tx, principal, installed, rows);
    replaced = installed.version;
  }
  await assertFree(tx, manifest);
  const pack = await tx.pack.create({ data: { name: manifest.name, version: manifest.version, manifest: stored as object, installedBy: principal.id, installedAt: deps.clock() } });
  const origin = { source: 'pack' as const, packId: pack.id };
  for (const server of manifest.servers) await insertServer(tx, deps, principal, server, origin);
  for (const route of manifest.routes) await insertRoute(tx, principal, route, origin);
  for (const policy of manifest.policies) await insertPolicy(tx, principal, policy, origin);
  await bumpTopic(tx, 'policies');
  await audit(tx, { principal: principal.id, action: 'pack_install', entityType: 'pack', entityId: pack.id, detail: { name: pack.name, version: pack.version, ...(replaced ? { replaced } : {}) } });
  return {
    status: replaced ? 'upgraded' : 'installed',
    pack: toPackView(pack, await packRows(tx, pack.id)),
    ...(replaced ? { replaced } : {}),
    placeholders: manifest.servers.flatMap((s) => {
      const keys = Object.entries(s.transport.type === 'stdio' ? s.transport.env : s.transport.headers).flatMap(([k, v]) => (v === SECRET_PLACEHOLDER ? [k] : []));
      return keys.length > 0 ? [{ name: s.name, version: s.version, keys }] : [];
    }),
  };
}

/** Every server version and policy name the manifest would take, already taken: one error naming each place. */
async function assertFree(tx: Tx, manifest: PackManifest): Promise<void> {
  const problems: string[] = [];
  for (const [i, s] of manifest.servers.entries()) {
    const row = await tx.serverVersion.findUnique({ where: { name_version: { name: s.name, version: s.version } }, select: { source: true, pack: { select: { name: true } } } });
    if (row) problems.push(`- servers[${i}]: ${s.name} ${s.version} is already registered (${row.pack ? `by pack ${row.pack.name}` : `source ${row.source}`}); published versions are immutable: change the version in the manifest, or drop the entry and let the pack's routes use the registered one.`);
  }
  for (const [i, p] of manifest.policies.entries()) {
    const row = await tx.policy.findUnique({ where: { name: p.name }, select: { source: true, pack: { select: { name: true } } } });
    if (row) problems.push(`- policies[${i}]: a policy named ${p.name} exists already (${row.pack ? `from pack ${row.pack.name}` : `source ${row.source}`}); rename it in the manifest, or delete the existing one.`);
  }
  if (problems.length > 0) throw new Conflict(`Nothing was installed. Fix these entries of the manifest and install it again:\n${problems.join('\n')}`);
}

/** The secrets the manifest carries are the ones the pack's rows hold (compared decrypted, in memory). */
function sameSecrets(deps: Deps, rows: { name: string; version: string; secrets: string | null }[], manifest: PackManifest): boolean {
  return manifest.servers.every((s) => {
    const row = rows.find((r) => r.name === s.name && r.version === s.version);
    if (!row) return false;
    const held = (row.secrets ? deps.secrets.open(row.secrets) : {}) as { env?: Record<string, string>; headers?: Record<string, string> };
    const wanted = s.transport.type === 'stdio' ? s.transport.env : s.transport.headers;
    return canonical((s.transport.type === 'stdio' ? held.env : held.headers) ?? {}) === canonical(wanted);
  });
}

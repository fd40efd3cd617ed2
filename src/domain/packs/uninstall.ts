// pack_uninstall: removes exactly the rows the pack added and still owns, in one transaction.
// Rows changed since install (an edited route or policy, a server whose status or metadata changed
// or that was deregistered) fail the uninstall by default; onChanged keeps them as manual rows or
// removes them too. Rows the pack never added are never touched.
import { audit } from '../audit.js';
import { bumpTopic } from '../change-feed.js';
import type { Deps } from '../deps.js';
import { Conflict } from '../errors.js';
import type { Principal } from '../principal.js';
import { recomputeLatest } from '../registry/latest.js';
import type { Tx } from '../../store/index.js';
import { authorizeEntries, type Enforcement } from './authorize.js';
import { notInstalled } from './read.js';
import { changedRows, entriesOf, packRows, withoutIds, type PackRows } from './rows.js';
import type { PackManifest, UninstallResult } from './schema.js';

type PackRow = { id: string; name: string; version: string; manifest: unknown };

export async function uninstallPack(
  deps: Deps,
  principal: Principal,
  input: { name: string; onChanged: 'fail' | 'keep' | 'remove' },
  enforcement: Enforcement = { enforce: false },
): Promise<UninstallResult> {
  // Authorized before the transaction: a policy check may read the database, which on SQLite waits for the writer.
  const current = await deps.db.pack.findUnique({ where: { name: input.name }, select: { id: true } });
  if (!current) throw notInstalled(input.name);
  await authorizeEntries(deps, principal, entriesOf(await packRows(deps.db, current.id)), 'uninstall', enforcement);
  const result = await deps.db.$transaction(
    async (tx) => {
      const pack = await tx.pack.findUnique({ where: { name: input.name } });
      if (!pack) throw notInstalled(input.name);
      const rows = await packRows(tx, pack.id);
      const changed = changedRows(rows, pack.manifest as PackManifest);
      if (changed.length > 0 && input.onChanged === 'fail') {
        throw new Conflict(
          `Nothing was uninstalled: these rows of ${pack.name} changed since it was installed:\n${changed.map((c) => `- ${c.label}`).join('\n')}\nCall pack_uninstall again with onChanged "keep" (they stay, as manual rows) or "remove" (they go too).`,
        );
      }
      const kept = input.onChanged === 'keep' ? changed : [];
      const removing = withoutIds(rows, new Set(kept.map((c) => c.id)));
      // Kept rows become manual ones: deleting the pack row alone would null packId but leave source 'pack'.
      const detach = { where: { id: { in: kept.map((c) => c.id) } }, data: { source: 'manual', packId: null } };
      await tx.serverVersion.updateMany(detach);
      await tx.route.updateMany(detach);
      await tx.policy.updateMany(detach);
      for (const c of kept) await audit(tx, { principal: principal.id, action: 'pack_uninstall', entityType: c.kind, entityId: c.id, detail: { pack: pack.name, packVersion: pack.version, kept: true } });
      await removeRows(tx, principal, pack, removing);
      return {
        pack: { name: pack.name, version: pack.version },
        removed: { servers: removing.servers.map((s) => ({ name: s.name, version: s.version })), routes: removing.routes.map((r) => r.id), policies: removing.policies.map((p) => p.name) },
        kept: kept.map((c) => c.label),
      };
    },
    { timeout: 120_000, maxWait: 10_000 },
  );
  for (const topic of ['servers', 'routes', 'policies'] as const) deps.feed.touch(topic);
  return result;
}

/** Deletes the given rows and the pack row, with an audit event each; caches are told by the caller. */
export async function removeRows(tx: Tx, principal: Principal, pack: PackRow, rows: PackRows): Promise<void> {
  const detail = { pack: pack.name, packVersion: pack.version };
  for (const s of rows.servers) {
    // A hard delete: the version was the pack's to publish. Its discovered tools go with it (cascade).
    await tx.serverVersion.delete({ where: { id: s.id } });
    await audit(tx, { principal: principal.id, action: 'pack_uninstall', entityType: 'server', entityId: s.id, detail: { ...detail, name: s.name, version: s.version } });
  }
  for (const name of new Set(rows.servers.map((s) => s.name))) await recomputeLatest(tx, name);
  for (const r of rows.routes) {
    await tx.route.delete({ where: { id: r.id } });
    await audit(tx, { principal: principal.id, action: 'pack_uninstall', entityType: 'route', entityId: r.id, detail: { ...detail, intentPattern: r.intentPattern } });
  }
  for (const p of rows.policies) {
    await tx.policy.delete({ where: { id: p.id } });
    await audit(tx, { principal: principal.id, action: 'pack_uninstall', entityType: 'policy', entityId: p.id, detail: { ...detail, name: p.name } });
  }
  await tx.pack.delete({ where: { id: pack.id } });
  await audit(tx, { principal: principal.id, action: 'pack_uninstall', entityType: 'pack', entityId: pack.id, detail });
  for (const topic of ['servers', 'routes', 'policies'] as const) await bumpTopic(tx, topic);
}

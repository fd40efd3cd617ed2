import semver from 'semver';
import type { Tx } from '../../store/index.js';

/**
 * Marks the highest non-prerelease, active, undeleted version of `name` as latest, and no other.
 * Called in the transaction of every change that can move it.
 */
export async function recomputeLatest(tx: Tx, name: string): Promise<void> {
  const rows = await tx.serverVersion.findMany({ where: { name }, select: { id: true, version: true, status: true, deletedAt: true, isLatest: true } });
  const eligible = rows.filter((r) => r.status === 'active' && !r.deletedAt && !semver.prerelease(r.version));
  const latest = eligible.sort((a, b) => semver.rcompare(a.version, b.version))[0];
  for (const row of rows) {
    const should = row.id === latest?.id;
    if (row.isLatest !== should) await tx.serverVersion.update({ where: { id: row.id }, data: { isLatest: should } });
  }
}

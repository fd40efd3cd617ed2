// The changes a published version allows: status and metadata, soft delete and restore.
import { audit } from '../audit.js';
import { bumpTopic } from '../change-feed.js';
import type { Deps } from '../deps.js';
import { Invalid, NotFound } from '../errors.js';
import type { Principal } from '../principal.js';
import type { Tx } from '../../store/index.js';
import { recomputeLatest } from './latest.js';
import type { ServerView } from './schema.js';
import { toView, withToolCount } from './view.js';

async function findVersions(tx: Tx, name: string, version: string | undefined, deleted: boolean) {
  const rows = await tx.serverVersion.findMany({ where: { name, ...(version ? { version } : {}), deletedAt: deleted ? { not: null } : null } });
  if (rows.length === 0) {
    const state = deleted ? 'deregistered' : 'registered';
    throw new NotFound(`No ${state} server ${name}${version ? ` ${version}` : ''}. Check the name and version with registry_list${deleted ? ' (includeDeleted: true)' : ''}.`);
  }
  return rows;
}

export async function updateServer(
  deps: Deps,
  principal: Principal,
  input: { name: string; version: string; status?: ServerView['status']; metadata?: Record<string, unknown> },
): Promise<ServerView> {
  if (input.status === undefined && input.metadata === undefined) {
    throw new Invalid('Nothing to update: pass status and/or metadata. Other fields of a published version are immutable; register a new version to change them.');
  }
  const server = await deps.db.$transaction(async (tx) => {
    const [row] = await findVersions(tx, input.name, input.version, false);
    await tx.serverVersion.update({
      where: { id: row!.id },
      data: { ...(input.status ? { status: input.status } : {}), ...(input.metadata ? { metadata: input.metadata as object } : {}), updatedBy: principal.id },
    });
    await recomputeLatest(tx, input.name);
    await bumpTopic(tx, 'servers');
    await audit(tx, { principal: principal.id, action: 'registry_update', entityType: 'server', entityId: row!.id, detail: { status: input.status, metadataChanged: input.metadata !== undefined } });
    return toView(await tx.serverVersion.findUniqueOrThrow({ where: { id: row!.id }, include: withToolCount }));
  });
  deps.feed.touch('servers');
  return server;
}

/** Soft-deletes one version, or every version when none is named. Restorable. */
export async function deregisterServer(deps: Deps, principal: Principal, name: string, version?: string): Promise<ServerView[]> {
  return setDeleted(deps, principal, name, version, true);
}

export async function restoreServer(deps: Deps, principal: Principal, name: string, version?: string): Promise<ServerView[]> {
  return setDeleted(deps, principal, name, version, false);
}

async function setDeleted(deps: Deps, principal: Principal, name: string, version: string | undefined, deleted: boolean): Promise<ServerView[]> {
  const action = deleted ? 'registry_deregister' : 'registry_restore';
  const servers = await deps.db.$transaction(async (tx) => {
    const rows = await findVersions(tx, name, version, !deleted);
    const ids = rows.map((r) => r.id);
    await tx.serverVersion.updateMany({ where: { id: { in: ids } }, data: { deletedAt: deleted ? deps.clock() : null, updatedBy: principal.id } });
    await recomputeLatest(tx, name);
    await bumpTopic(tx, 'servers');
    for (const id of ids) await audit(tx, { principal: principal.id, action, entityType: 'server', entityId: id });
    const after = await tx.serverVersion.findMany({ where: { id: { in: ids } }, include: withToolCount, orderBy: { id: 'asc' } });
    return after.map(toView);
  });
  deps.feed.touch('servers');
  return servers;
}

import { audit } from '../audit.js';
import { bumpTopic } from '../change-feed.js';
import type { Deps } from '../deps.js';
import { Conflict } from '../errors.js';
import type { Principal } from '../principal.js';
import { isUniqueViolation, type Tx } from '../../store/index.js';
import { recomputeLatest } from './latest.js';
import type { RegisterInput, ServerView } from './schema.js';
import { searchTextFor } from './search-text.js';
import { toView, withToolCount } from './view.js';

export type ServerSource = { source?: 'manual' | 'import' | 'pack'; packId?: string };

/** Publishes a new server version. Versions are immutable: a duplicate name+version is a Conflict. */
export async function registerServer(deps: Deps, principal: Principal, input: RegisterInput, origin: ServerSource = {}): Promise<ServerView> {
  try {
    const server = await deps.db.$transaction((tx) => insertServer(tx, deps, principal, input, origin));
    deps.feed.touch('servers');
    return server;
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicate(input);
    throw error;
  }
}

export function duplicate(input: Pick<RegisterInput, 'name' | 'version'>): Conflict {
  return new Conflict(
    `${input.name} ${input.version} is already registered, and published versions are immutable. Register a higher version (e.g. the next patch), or use registry_update to change its status or metadata.`,
  );
}

/** The insert itself, for callers that already hold a transaction (import, packs). */
export async function insertServer(tx: Tx, deps: Deps, principal: Principal, input: RegisterInput, origin: ServerSource = {}): Promise<ServerView> {
  const row = await tx.serverVersion.create({ data: serverRow(deps, principal, input, origin) });
  await recomputeLatest(tx, input.name);
  await bumpTopic(tx, 'servers');
  await audit(tx, { principal: principal.id, action: 'registry_register', entityType: 'server', entityId: row.id, detail: { name: input.name, version: input.version } });
  return toView(await tx.serverVersion.findUniqueOrThrow({ where: { id: row.id }, include: withToolCount }));
}

/** The columns a registration writes (isLatest is left to recomputeLatest); bench/registry-search bulk-inserts these. */
export function serverRow(deps: Pick<Deps, 'secrets'>, principal: Principal, input: RegisterInput, origin: ServerSource = {}) {
  const { transport } = input;
  const secrets = transport.type === 'stdio' ? { env: transport.env } : { headers: transport.headers };
  const secretKeys = transport.type === 'stdio' ? { env: Object.keys(transport.env) } : { headers: Object.keys(transport.headers) };
  const hasSecrets = Object.keys(transport.type === 'stdio' ? transport.env : transport.headers).length > 0;
  const publicTransport =
    transport.type === 'stdio'
      ? { command: transport.command, args: transport.args, ...(transport.cwd ? { cwd: transport.cwd } : {}) }
      : { url: transport.url };
  return {
    name: input.name,
    version: input.version,
    title: input.title ?? null,
    description: input.description ?? null,
    status: input.status,
    transportType: transport.type,
    transport: publicTransport,
    secrets: hasSecrets ? deps.secrets.seal(secrets) : null,
    secretKeys,
    repositoryUrl: input.repositoryUrl ?? null,
    websiteUrl: input.websiteUrl ?? null,
    tags: input.tags,
    priority: input.priority,
    isRequired: input.isRequired,
    dependencies: input.dependencies,
    metadata: input.metadata as object,
    searchText: searchTextFor(input.tags, [], input.name),
    source: origin.source ?? 'manual',
    packId: origin.packId ?? null,
    costPerCall: input.costPerCall ?? null,
    costPerUnit: input.costPerUnit ?? null,
    createdBy: principal.id,
    updatedBy: principal.id,
  };
}

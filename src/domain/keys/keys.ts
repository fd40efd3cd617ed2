// API keys: random, shown once, stored as a SHA-256 hash (the key has 256 bits of entropy, so a
// fast hash is enough), carrying the principal's id, roles and attributes.
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { audit } from '../audit.js';
import { bumpTopic } from '../change-feed.js';
import type { Deps } from '../deps.js';
import { NotFound } from '../errors.js';
import { decodeCursor, page, pageInput } from '../pagination.js';
import type { Principal } from '../principal.js';
import type { ApiKey } from '../../store/index.js';

export const createKeyInput = z.object({
  name: z.string().min(1).max(100).describe('What the key is for, e.g. "ci-pipeline".'),
  principalId: z.string().min(1).max(200).regex(/^[A-Za-z0-9._@:-]+$/, 'letters, digits and . _ @ : - only').describe('The principal the key authenticates as (user:<id> in policies).'),
  roles: z.array(z.string().min(1).max(100).regex(/^[A-Za-z0-9._-]+$/)).max(20).default([]).describe('Roles, e.g. ["reader"] or ["admin"].'),
  attributes: z.record(z.string().max(100), z.unknown()).default({}).describe('Attributes for policy conditions (principal.attributes.*).'),
  expiresInDays: z.number().int().min(1).max(3650).optional().describe('Days until the key stops working; omit for no expiry.'),
});
export type CreateKeyInput = z.infer<typeof createKeyInput>;

export const keyView = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('The public start of the key, to recognise it.'),
  principalId: z.string(),
  roles: z.array(z.string()),
  attributes: z.record(z.string(), z.unknown()),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  useCount: z.number(),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type KeyView = z.infer<typeof keyView>;

const hash = (key: string) => createHash('sha256').update(key).digest('hex');
const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toView(row: ApiKey): KeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    principalId: row.principalId,
    roles: row.roles as string[],
    attributes: row.attributes as Record<string, unknown>,
    expiresAt: iso(row.expiresAt),
    revokedAt: iso(row.revokedAt),
    lastUsedAt: iso(row.lastUsedAt),
    useCount: row.useCount,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Creates a key; the clear key is returned here and never again. */
export async function createKey(deps: Deps, by: Principal, input: CreateKeyInput): Promise<{ key: string; info: KeyView }> {
  const prefix = `sb_${randomBytes(6).toString('base64url')}`;
  const key = `${prefix}_${randomBytes(32).toString('base64url')}`;
  const expiresAt = input.expiresInDays ? new Date(deps.clock().getTime() + input.expiresInDays * 86_400_000) : null;
  const row = await deps.db.$transaction(async (tx) => {
    const created = await tx.apiKey.create({
      data: { name: input.name, prefix, hash: hash(key), principalId: input.principalId, roles: input.roles, attributes: input.attributes as object, expiresAt, createdBy: by.id },
    });
    await audit(tx, { principal: by.id, action: 'key_create', entityType: 'key', entityId: created.id, detail: { name: input.name, principalId: input.principalId, roles: input.roles } });
    await bumpTopic(tx, 'keys');
    return created;
  });
  deps.feed.touch('keys');
  return { key, info: toView(row) };
}

export const listKeysInput = z.object({ includeRevoked: z.boolean().default(false), ...pageInput });

export async function listKeys(deps: Deps, input: z.infer<typeof listKeysInput>): Promise<{ items: KeyView[]; nextCursor?: string }> {
  await deps.keyUsage.flush();
  const cursor = decodeCursor(input.cursor);
  const rows = await deps.db.apiKey.findMany({
    where: input.includeRevoked ? {} : { revokedAt: null },
    orderBy: { id: 'asc' },
    take: input.limit + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  const { items, nextCursor } = page(rows, input.limit);
  return { items: items.map(toView), ...(nextCursor ? { nextCursor } : {}) };
}

/** Revokes a key by id or prefix. Revoking twice is harmless. */
export async function revokeKey(deps: Deps, by: Principal, idOrPrefix: string): Promise<KeyView> {
  const view = await deps.db.$transaction(async (tx) => {
    const row = await tx.apiKey.findFirst({ where: { OR: [{ id: idOrPrefix }, { prefix: idOrPrefix }] } });
    if (!row) throw new NotFound(`No API key with id or prefix ${idOrPrefix}. key_list shows the keys.`);
    const revoked = row.revokedAt ? row : await tx.apiKey.update({ where: { id: row.id }, data: { revokedAt: deps.clock() } });
    await audit(tx, { principal: by.id, action: 'key_revoke', entityType: 'key', entityId: row.id });
    await bumpTopic(tx, 'keys');
    return toView(revoked);
  });
  deps.feed.touch('keys');
  return view;
}

/**
 * The principal a bearer key stands for, or why it does not stand for one. Keys found are kept in
 * memory until any key changes (the 'keys' topic: at once in this process, within a poll interval
 * in the others); unknown keys are looked up every time, so guessing cannot fill the cache.
 */
export async function authenticateKey(deps: Deps, key: string): Promise<{ principal: Principal } | { error: string }> {
  if (!/^sb_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{43}$/.test(key)) return { error: 'malformed API key' };
  const known = await deps.cache.apiKeys();
  const digest = hash(key);
  let row = known.get(digest);
  if (!row) {
    row = (await deps.db.apiKey.findUnique({ where: { hash: digest } })) ?? undefined;
    if (!row) return { error: 'unknown API key' };
    known.set(digest, row);
  }
  if (row.revokedAt) return { error: 'API key revoked' };
  const now = deps.clock();
  if (row.expiresAt && row.expiresAt <= now) return { error: 'API key expired' };
  deps.keyUsage.record(row.id, now);
  return { principal: { id: row.principalId, roles: row.roles as string[], attributes: { ...(row.attributes as Record<string, unknown>), keyId: row.id } } };
}

/** On first start with no keys at all: an admin key, to be printed once. */
export async function ensureBootstrapKey(deps: Deps): Promise<string | undefined> {
  if ((await deps.db.apiKey.count()) > 0) return undefined;
  const { key } = await createKey(deps, { id: 'system', roles: ['admin'], attributes: {} }, { name: 'bootstrap-admin', principalId: 'admin', roles: ['admin'], attributes: {} });
  return key;
}

import { expect, it } from 'vitest';
import { authenticateKey, createKey, ensureBootstrapKey, revokeKey } from '../src/domain/keys/keys.js';
import { eventually } from './support/fixture.js';
import { admin, call, callError, describeEachProvider, secondApp } from './support/harness.js';

type KeyInfo = { id: string; prefix: string; principalId: string; roles: string[]; useCount: number; lastUsedAt: string | null; revokedAt: string | null };

describeEachProvider('API keys', (env) => {
  it('on a fresh database creates one bootstrap admin key, once', async () => {
    const key = await ensureBootstrapKey(env.app.deps);
    expect(key).toMatch(/^sb_/);
    expect(await authenticateKey(env.app.deps, key!)).toEqual({ principal: expect.objectContaining({ id: 'admin', roles: ['admin'] }) });
    expect(await ensureBootstrapKey(env.app.deps)).toBeUndefined();
  });

  it('shows the key once, stores only a hash, and counts its use', async () => {
    const client = await env.connect();
    const { key, info } = await call<{ key: string; info: KeyInfo }>(client, 'key_create', { name: 'ci', principalId: 'ci-bot', roles: ['reader'], attributes: { team: 'platform' } });
    expect(key.startsWith(info.prefix)).toBe(true);
    const rows = await env.app.deps.db.apiKey.findMany();
    expect(JSON.stringify(rows)).not.toContain(key);
    const listed = await call<{ keys: KeyInfo[] }>(client, 'key_list');
    expect(JSON.stringify(listed)).not.toContain(key);

    const auth = await authenticateKey(env.app.deps, key);
    expect(auth).toEqual({ principal: { id: 'ci-bot', roles: ['reader'], attributes: { team: 'platform', keyId: info.id } } });
    await authenticateKey(env.app.deps, key);
    const after = (await call<{ keys: KeyInfo[] }>(client, 'key_list')).keys.find((k) => k.id === info.id)!;
    expect(after.useCount).toBe(2);
    expect(after.lastUsedAt).not.toBeNull();
  });

  it('refuses revoked, expired, unknown and malformed keys, saying which', async () => {
    const client = await env.connect();
    const { key, info } = await call<{ key: string; info: KeyInfo }>(client, 'key_create', { name: 'temp', principalId: 'temp' });
    await call(client, 'key_revoke', { key: info.prefix });
    expect(await authenticateKey(env.app.deps, key)).toEqual({ error: 'API key revoked' });
    expect((await call<{ keys: KeyInfo[] }>(client, 'key_list')).keys.map((k) => k.id)).not.toContain(info.id);

    const expiring = await call<{ key: string; info: KeyInfo }>(client, 'key_create', { name: 'short', principalId: 'temp', expiresInDays: 1 });
    const later = { ...env.app.deps, clock: () => new Date(Date.now() + 2 * 86_400_000) };
    expect(await authenticateKey(later, expiring.key)).toEqual({ error: 'API key expired' });
    expect(await authenticateKey(env.app.deps, `${expiring.key.slice(0, -4)}AAAA`)).toEqual({ error: 'unknown API key' });
    expect(await authenticateKey(env.app.deps, 'hunter2')).toEqual({ error: 'malformed API key' });
    expect(await callError(client, 'key_revoke', { key: 'sb_nope' })).toMatch(/NotFound: No API key with id or prefix sb_nope/);
  });

  it('a revocation holds, within a second, in another process that has the key cached', async () => {
    const other = await secondApp(env);
    let keyId = '';
    let accepted = 0;
    const authenticate = async (key: string) => {
      const result = await authenticateKey(other.deps, key);
      if ('principal' in result) accepted++;
      return result;
    };
    try {
      const { key, info } = await createKey(env.app.deps, admin, { name: 'shared', principalId: 'svc', roles: ['reader'], attributes: {} });
      keyId = info.id;
      expect(await authenticate(key)).toHaveProperty('principal');
      await revokeKey(env.app.deps, admin, info.id);
      expect(await authenticateKey(env.app.deps, key)).toEqual({ error: 'API key revoked' });
      await eventually(async () => 'error' in (await authenticate(key)), 'the other process to refuse the revoked key', 1000);
    } finally {
      await other.close();
    }
    // The use the other process saw is written when it closes, not lost.
    expect((await env.app.deps.db.apiKey.findUniqueOrThrow({ where: { id: keyId } })).useCount).toBe(accepted);
  });
});

import { expect, it } from 'vitest';
import { admin, call, callError, describeEachProvider } from './support/harness.js';

const weather = (version: string, extra: Record<string, unknown> = {}) => ({
  name: 'io.github.acme/weather',
  version,
  title: 'Weather',
  description: 'Forecasts and current conditions',
  transport: { type: 'stdio', command: 'node', args: ['weather.js'], env: { WEATHER_API_KEY: 'sk-live-secret-123' } },
  tags: ['weather', 'public'],
  ...extra,
});

type Server = { name: string; version: string; isLatest: boolean; status: string; transport: { env?: Record<string, string> }; createdBy: string; deletedAt: string | null };

describeEachProvider('registry', (env) => {
  it('registers versions, keeps the highest stable one latest, and masks secrets', async () => {
    const client = await env.connect();
    await call(client, 'registry_register', weather('1.0.0'));
    await call(client, 'registry_register', weather('1.2.0'));
    await call(client, 'registry_register', weather('2.0.0-beta.1'));
    const { server } = await call<{ server: Server }>(client, 'registry_get', { name: 'io.github.acme/weather' });
    expect(server.version).toBe('1.2.0');
    expect(server.isLatest).toBe(true);
    expect(server.createdBy).toBe(admin.id);
    expect(server.transport.env).toEqual({ WEATHER_API_KEY: '********' });
    const stored = await env.app.deps.db.serverVersion.findMany();
    expect(JSON.stringify(stored)).not.toContain('sk-live-secret-123');
  });

  it('refuses a duplicate version with a conflict that says what to do', async () => {
    const client = await env.connect();
    const before = await env.app.deps.db.serverVersion.count();
    const text = await callError(client, 'registry_register', weather('1.0.0'));
    expect(text).toMatch(/Conflict: io.github.acme\/weather 1.0.0 is already registered/);
    expect(text).toMatch(/Register a higher version/);
    expect(await env.app.deps.db.serverVersion.count()).toBe(before);
  });

  it('updates status and moves latest; deregister and restore round-trip', async () => {
    const client = await env.connect();
    await call(client, 'registry_update', { name: 'io.github.acme/weather', version: '1.2.0', status: 'deprecated' });
    let { server } = await call<{ server: Server }>(client, 'registry_get', { name: 'io.github.acme/weather' });
    expect(server.version).toBe('1.0.0');
    await call(client, 'registry_deregister', { name: 'io.github.acme/weather', version: '1.0.0' });
    await expect(call(client, 'registry_get', { name: 'io.github.acme/weather', version: '1.0.0' })).rejects.toThrow(/NotFound/);
    await call(client, 'registry_restore', { name: 'io.github.acme/weather', version: '1.0.0' });
    ({ server } = await call<{ server: Server }>(client, 'registry_get', { name: 'io.github.acme/weather', version: '1.0.0' }));
    expect(server.isLatest).toBe(true);
    expect(server.deletedAt).toBeNull();
  });

  it('lists with filters and pages with a cursor', async () => {
    const client = await env.connect();
    for (let i = 0; i < 5; i++) await call(client, 'registry_register', weather('1.0.0', { name: `list-${i}`, tags: i % 2 ? ['odd'] : ['even'] }));
    const first = await call<{ servers: Server[]; nextCursor?: string }>(client, 'registry_list', { tags: ['even'], limit: 2 });
    expect(first.servers.map((s) => s.name)).toEqual(['list-0', 'list-2']);
    const second = await call<{ servers: Server[]; nextCursor?: string }>(client, 'registry_list', { tags: ['even'], limit: 2, cursor: first.nextCursor });
    expect(second.servers.map((s) => s.name)).toEqual(['list-4']);
    expect(second.nextCursor).toBeUndefined();
  });
});

// Runs a suite against a real Switchboard on a real database: SQLite always, PostgreSQL too when
// TEST_DATABASE_URL names a server (each run gets a fresh database, dropped afterwards).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import pino from 'pino';
import { afterAll, beforeAll, describe } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Principal } from '../../src/domain/principal.js';
import { createMcpServer } from '../../src/transports/server.js';
import { createScratchDatabase, pgServerUrl } from './databases.js';

export const providers = pgServerUrl ? (['sqlite', 'postgresql'] as const) : (['sqlite'] as const);
if (!pgServerUrl) process.stderr.write('notice: TEST_DATABASE_URL is not set; the PostgreSQL half of the store tests is skipped.\n');

export type Provider = (typeof providers)[number];

export interface TestEnv {
  app: App;
  dataDir: string;
  databaseUrl: string;
  /** An SDK client connected in memory as `principal` (default: local admin). */
  connect(principal?: Principal): Promise<Client>;
}

export const admin: Principal = { id: 'local', roles: ['admin'], attributes: {} };

/** A fresh database and data directory for `provider`. */
export async function createTestDatabase(provider: Provider): Promise<{ dataDir: string; databaseUrl: string; cleanup(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  if (provider === 'sqlite') {
    return { dataDir, databaseUrl: `file:${join(dataDir, 'switchboard.db')}`, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const scratch = await createScratchDatabase(pgServerUrl!);
  return {
    dataDir,
    databaseUrl: scratch.url,
    async cleanup() {
      await scratch.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** describe() once per provider with a started app; `env` is ready inside tests. */
export function describeEachProvider(name: string, body: (env: TestEnv, provider: Provider) => void, options: { env?: Record<string, string> } = {}): void {
  for (const provider of providers) {
    describe(`${name} [${provider}]`, () => {
      const env = {} as TestEnv;
      const clients: Client[] = [];
      let cleanup: () => Promise<void>;
      beforeAll(async () => {
        const db = await createTestDatabase(provider);
        cleanup = db.cleanup;
        // Periodic health checks off: a test checks servers when it means to.
        const config = loadConfig({ DATABASE_URL: db.databaseUrl, SWITCHBOARD_DATA_DIR: db.dataDir, SWITCHBOARD_LOG_LEVEL: 'silent', SWITCHBOARD_HEALTH_INTERVAL_MS: '0', ...options.env });
        env.app = await createApp(config, { log: pino({ level: 'silent' }) });
        env.dataDir = db.dataDir;
        env.databaseUrl = db.databaseUrl;
        env.connect = async (principal = admin) => {
          const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
          await createMcpServer(env.app, { principal, transport: 'memory' }).connect(serverSide);
          const client = new Client({ name: 'test', version: '1.0.0' });
          await client.connect(clientSide);
          clients.push(client);
          return client;
        };
      });
      afterAll(async () => {
        for (const c of clients) await c.close();
        await env.app?.close();
        await cleanup?.();
      });
      body(env, provider);
    });
  }
}

/** Calls a tool; returns its structured content, or throws with the error text. */
export async function call<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (result.isError) throw new Error(textOf(result));
  return result.structuredContent as T;
}

/** Calls a tool expected to fail; returns the error text. */
export async function callError(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (!result.isError) throw new Error(`${name} unexpectedly succeeded: ${textOf(result)}`);
  return textOf(result);
}

export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** Row counts of every table that a call could change, to prove a rejected call changed nothing. */
export async function rowCounts(app: App): Promise<Record<string, number>> {
  const db = app.deps.db;
  return {
    servers: await db.serverVersion.count(),
    deleted: await db.serverVersion.count({ where: { deletedAt: { not: null } } }),
    tools: await db.discoveredTool.count(),
    routes: await db.route.count(),
    policies: await db.policy.count(),
    keys: await db.apiKey.count(),
    jobs: await db.job.count(),
    audit: await db.auditEvent.count(),
    packs: await db.pack.count(),
  };
}

/** Another Switchboard process on the same database and secret key, periodic health checks off. */
export async function secondApp(env: Pick<TestEnv, 'databaseUrl' | 'dataDir'>, settings: Record<string, string> = {}): Promise<App> {
  const config = loadConfig({ DATABASE_URL: env.databaseUrl, SWITCHBOARD_DATA_DIR: env.dataDir, SWITCHBOARD_LOG_LEVEL: 'silent', SWITCHBOARD_HEALTH_INTERVAL_MS: '0', ...settings });
  return createApp(config, { log: pino({ level: 'silent' }) });
}

// The committed migrations of each provider must produce exactly schema.prisma: the schema
// engine's diff from the migrations to the schema is empty. A model change without a migration
// (npm run migration:new) fails here.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSchema } from '../scripts/prisma.mjs';
import { applyMigrations, diffMigrationsToSchema, pendingMigrations, readMigrations, schemaPath } from '../src/store/schema-engine.js';
import { pgServerUrl, withScratchDatabase } from './support/databases.js';
import { providers, type Provider } from './support/harness.js';

async function withDatabase<T>(provider: Provider, use: (url: string) => Promise<T>): Promise<T> {
  if (provider === 'postgresql') return withScratchDatabase(pgServerUrl!, use);
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-migrations-'));
  try {
    return await use(`file:${join(dir, 'scratch.db')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each(providers)('migrations [%s]', (provider) => {
  it('schema.prisma is rendered from prisma/models.prisma', () => {
    expect(readFileSync(schemaPath(provider), 'utf8')).toBe(renderSchema(provider));
  });

  it('the committed migrations produce exactly schema.prisma', async () => {
    const sql = await withDatabase(provider, (url) => diffMigrationsToSchema(provider, url));
    expect(sql.replace(/^-- This is an empty migration\.?$/m, '').trim()).toBe('');
  });

  it('applies once, records every migration, and is idempotent', async () => {
    await withDatabase(provider, async (url) => {
      const all = readMigrations(provider).migrationDirectories.map((d) => d.path);
      expect(await pendingMigrations(provider, url)).toEqual(all);
      expect(await applyMigrations(provider, url)).toEqual(all);
      expect(await applyMigrations(provider, url)).toEqual([]);
      expect(await pendingMigrations(provider, url)).toEqual([]);
    });
  });
});

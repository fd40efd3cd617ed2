// The committed migrations of each provider, read from prisma/<provider>/migrations. Reading them
// needs no schema engine: a start compares them with _prisma_migrations and loads the engine only
// when something is pending.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import type { Provider } from './adapter.js';
import { prismaDir } from './paths.js';

export function schemaPath(provider: Provider): string {
  return join(prismaDir, provider, 'schema.prisma');
}

export function migrationsDir(provider: Provider): string {
  return join(prismaDir, provider, 'migrations');
}

/** The committed migrations of a provider, read as the Prisma CLI reads them. */
export function readMigrations(provider: Provider): MigrationList {
  const baseDir = migrationsDir(provider);
  const lockPath = join(baseDir, 'migration_lock.toml');
  const names = existsSync(baseDir)
    ? readdirSync(baseDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
    : [];
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: names.map((name) => ({
      path: name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: readFileSync(join(baseDir, name, 'migration.sql'), 'utf8') } },
    })),
  };
}

export function migrationsChecksum(list: MigrationList): string {
  const hash = createHash('sha256');
  for (const dir of list.migrationDirectories) {
    hash.update(dir.path);
    if (dir.migrationFile.content.tag === 'ok') hash.update(dir.migrationFile.content.value);
  }
  return hash.digest('hex');
}

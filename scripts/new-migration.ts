// `npm run migration:new -- <name>`: after editing prisma/models.prisma and running `npm run build`,
// writes the SQL that takes each provider's committed migrations to the new schema, using Prisma's
// WebAssembly schema engine (no native engine, no network). PostgreSQL needs a server to use as a
// scratch database: MIGRATION_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffMigrationsToSchema, migrationsDir } from '../src/store/schema-engine.js';
import { withScratchDatabase } from '../tests/support/databases.js';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  process.stderr.write('usage: npm run migration:new -- <name in snake_case>\n');
  process.exit(2);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);

const scratch = mkdtempSync(join(tmpdir(), 'switchboard-migration-'));
try {
  for (const provider of ['sqlite', 'postgresql'] as const) {
    mkdirSync(migrationsDir(provider), { recursive: true });
    writeFileSync(join(migrationsDir(provider), 'migration_lock.toml'), `# Written by npm run migration:new; keep it in version control.\nprovider = "${provider}"\n`);
    const sql =
      provider === 'sqlite'
        ? await diffMigrationsToSchema(provider, `file:${join(scratch, 'scratch.db')}`)
        : await withScratchDatabase(process.env.MIGRATION_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', (url) =>
            diffMigrationsToSchema(provider, url),
          );
    if (!sql || /^-- This is an empty migration/.test(sql)) {
      process.stdout.write(`${provider}: schema and migrations agree; nothing written\n`);
      continue;
    }
    const dir = join(migrationsDir(provider), `${stamp}_${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'migration.sql'), `${sql}\n`);
    process.stdout.write(`${provider}: wrote ${dir}/migration.sql\n`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// Prisma's schema engine in its WebAssembly form, driven through a driver adapter, so migrations
// are created, checked and applied offline (no native engine download). The SQL it writes and the
// `_prisma_migrations` rows it records are those of `prisma migrate deploy`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import type { Provider } from './adapter.js';
import { createMigrationAdapterFactory } from './migration-adapter.js';
import { readMigrations, schemaPath } from './migrations.js';

// The migration tooling (tests, scripts/new-migration.ts) finds them next to the engine.
export { migrationsChecksum, migrationsDir, readMigrations, schemaPath } from './migrations.js';

type WasmBindings = typeof import('@prisma/schema-engine-wasm') & { __wbg_set_wasm(exports: unknown): void };

let bindings: Promise<WasmBindings> | undefined;

// Node 20 cannot import a .wasm module, so instantiate it by hand once per process.
function loadBindings(): Promise<WasmBindings> {
  bindings ??= (async () => {
    const require = createRequire(import.meta.url);
    const bgPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bg = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as unknown as WasmBindings;
    const bytes = readFileSync(bgPath.replace(/\.js$/, '.wasm'));
    // The WebAssembly global exists in Node but is typed only by lib.dom.
    const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: { instantiate(b: Buffer, imports: object): Promise<{ instance: { exports: unknown } }> } };
    const { instance } = await wasm.instantiate(bytes, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
    return bg;
  })();
  return bindings;
}

const noFilters = { externalTables: [], externalEnums: [] };

/** Opens the schema engine on a database, runs `use`, and frees the engine. */
export async function withSchemaEngine<T>(
  provider: Provider,
  url: string,
  use: (engine: SchemaEngine) => Promise<T>,
  log: (message: string) => void = () => {},
): Promise<T> {
  const wasm = await loadBindings();
  const schema = readFileSync(schemaPath(provider), 'utf8');
  const adapters = createMigrationAdapterFactory(provider, url);
  const factory = bindMigrationAwareSqlAdapterFactory(adapters.factory as never);
  const engine = await wasm.SchemaEngine.new({ datamodels: [[schemaPath(provider), schema]] }, log, factory);
  try {
    return await use(engine);
  } finally {
    engine.free();
    await adapters.disposeAll();
  }
}

/** Applies pending committed migrations; returns the names applied now. Idempotent. */
export async function applyMigrations(provider: Provider, url: string): Promise<string[]> {
  return withSchemaEngine(provider, url, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList: readMigrations(provider), filters: noFilters });
    return out.appliedMigrationNames;
  });
}

/** Migrations committed but not applied to the database at `url`. */
export async function pendingMigrations(provider: Provider, url: string): Promise<string[]> {
  const migrationsList = readMigrations(provider);
  return withSchemaEngine(provider, url, async (engine) => {
    try {
      const { history } = await engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: noFilters });
      return history && history.diagnostic !== 'migrationsDirectoryIsBehind' ? history.unappliedMigrationNames : [];
    } catch (error) {
      // A database never migrated has no _prisma_migrations table: everything is pending.
      if (/_prisma_migrations` does not exist/.test((error as Error).message)) return migrationsList.migrationDirectories.map((d) => d.path);
      throw error;
    }
  });
}

/**
 * The SQL that takes a database from the committed migrations to schema.prisma; empty when they
 * agree. `url` names a scratch database the engine may use as its shadow database.
 */
export async function diffMigrationsToSchema(provider: Provider, url: string): Promise<string> {
  return withSchemaEngine(provider, url, async (engine) => {
    const result = await engine.diff({
      from: { tag: 'migrations', ...readMigrations(provider) },
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath(provider), content: readFileSync(schemaPath(provider), 'utf8') }] },
      script: true,
      exitCode: null,
      filters: noFilters,
    } as never);
    return (result.stdout ?? '').trim();
  });
}

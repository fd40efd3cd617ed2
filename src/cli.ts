#!/usr/bin/env node
// The `switchboard` command. Only here and in src/transports are transports constructed.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createApp, loadSecretKey, type App } from './app.js';
import { ConfigError, loadConfig, type Config, type ConfigOverrides } from './config.js';
import { addPackCommands } from './cli-packs.js';
import { addSeedCommands } from './cli-seed.js';
import { webhookSecret } from './domain/jobs/webhook.js';
import { createKey, createKeyInput, ensureBootstrapKey, listKeys, revokeKey } from './domain/keys/keys.js';
import { createLogger } from './log.js';
import { providerOf } from './store/adapter.js';
import { version } from './version.js';
import { DomainError } from './domain/errors.js';
import { ZodError } from 'zod';

const USAGE_ERROR = 2;

function port(value: string): string {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('a port number from 0 to 65535 is expected.');
  return value;
}

function config(overrides: ConfigOverrides = {}): Config {
  return loadConfig(undefined, overrides);
}

async function serve(transport: 'stdio' | 'http', overrides: ConfigOverrides): Promise<void> {
  // Each transport is loaded only when used: stdio start-up never pays for express (nor, below,
  // for the schema engine that only migrate and doctor need). The stdio modules load while the
  // app opens its database, so the client's initialize waits for neither one after the other.
  const stdio = transport === 'stdio' ? import('./transports/stdio.js') : undefined;
  stdio?.catch(() => {}); // awaited below, unless the app fails to start first
  const app = await createApp(config(overrides));
  if (stdio) {
    const { serveStdio } = await stdio;
    await serveStdio(app);
    await app.close();
    return;
  }
  const { startHttpServer } = await import('./transports/http.js');
  const bootstrapKey = await ensureBootstrapKey(app.deps);
  if (bootstrapKey) {
    process.stderr.write(`\nNo API keys existed, so an admin key was created. It is shown only now; store it:\n\n  ${bootstrapKey}\n\nClients send it as: Authorization: Bearer <key>\n\n`);
  }
  const http = await startHttpServer(app, { host: app.config.host, port: app.config.port });
  // Handlers first: whoever waits for the listening line may signal at once.
  onShutdown(app, http.close);
  app.log.info({ url: http.url }, 'listening');
}

/** SIGINT/SIGTERM: stop taking work, let in-flight calls finish, then close the store. */
function onShutdown(app: App, drain: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    drain()
      .then(() => app.close())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

export function buildCli(): Command {
  const program = new Command('switchboard')
    .description('Switchboard: the control plane for MCP servers — registry, routing, policy, jobs, traces.')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('serve')
    .description('Serve MCP over stdio or Streamable HTTP (applies pending migrations first).')
    .addOption(new Option('-t, --transport <kind>', 'how clients connect').choices(['stdio', 'http']).default('http'))
    .option('--host <address>', 'HTTP listen address (default SWITCHBOARD_HOST or 127.0.0.1)')
    .option('-p, --port <port>', 'HTTP listen port (default SWITCHBOARD_PORT or 8808)', port)
    .option('--database <url>', 'database URL (default DATABASE_URL or the SQLite file in the data directory)')
    .action(async (opts: { transport: 'stdio' | 'http'; host?: string; port?: string; database?: string }) => {
      await serve(opts.transport, { host: opts.host, port: opts.port, databaseUrl: opts.database });
    });

  program
    .command('stdio')
    .description('Serve MCP over stdio (shorthand for serve --transport stdio).')
    .option('--database <url>', 'database URL')
    .action(async (opts: { database?: string }) => serve('stdio', { databaseUrl: opts.database }));

  program
    .command('migrate')
    .description('Apply pending database migrations and exit.')
    .option('--database <url>', 'database URL')
    .action(async (opts: { database?: string }) => {
      const { databaseUrl } = config({ databaseUrl: opts.database });
      const { applyMigrations } = await import('./store/schema-engine.js');
      const applied = await applyMigrations(providerOf(databaseUrl), databaseUrl);
      process.stdout.write(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'Database is up to date.\n');
    });

  program
    .command('doctor')
    .description('Check configuration, database reachability and migrations; exit 1 on any problem.')
    .option('--database <url>', 'database URL')
    .action(async (opts: { database?: string }) => {
      const { runDoctor } = await import('./doctor.js');
      const ok = await runDoctor(() => config({ databaseUrl: opts.database }), (line) => process.stdout.write(`${line}\n`));
      process.exitCode = ok ? 0 : 1;
    });

  program
    .command('webhook-secret')
    .description('Print the key job webhook receivers verify X-Switchboard-Signature with (HMAC-SHA256 of the body).')
    .action(() => {
      process.stdout.write(`${webhookSecret(loadSecretKey(config()))}\n`);
    });

  const keys = program.command('keys').description('Manage API keys for HTTP clients.');
  keys
    .command('create')
    .description('Create an API key and print it (shown once).')
    .requiredOption('--name <name>', 'what the key is for')
    .option('--principal <id>', 'principal id the key authenticates as', 'admin')
    .option('--role <role...>', 'roles (repeatable)', ['reader'])
    .option('--expires-in-days <days>', 'days until it expires', (v) => positive(v, '--expires-in-days'))
    .action(async (opts: { name: string; principal: string; role: string[]; expiresInDays?: number }) => {
      await withApp(async (app) => {
        const input = createKeyInput.parse({ name: opts.name, principalId: opts.principal, roles: opts.role, expiresInDays: opts.expiresInDays });
        const { key, info } = await createKey(app.deps, cliPrincipal(app), input);
        process.stdout.write(`${key}\n`);
        process.stderr.write(`Created ${info.prefix}… for ${info.principalId} [${info.roles.join(', ')}]. Store the key now: it is not shown again.\n`);
      });
    });
  keys
    .command('list')
    .description('List API keys (never their secret part).')
    .option('--all', 'include revoked keys')
    .action(async (opts: { all?: boolean }) => {
      await withApp(async (app) => {
        const { items } = await listKeys(app.deps, { includeRevoked: Boolean(opts.all), limit: 200 });
        for (const k of items) process.stdout.write(`${k.id}  ${k.prefix}  ${k.name}  ${k.principalId}  [${k.roles.join(',')}]${k.revokedAt ? '  revoked' : ''}${k.expiresAt ? `  expires ${k.expiresAt}` : ''}\n`);
      });
    });
  keys
    .command('revoke')
    .description('Revoke an API key by id or prefix.')
    .argument('<key>', 'key id or prefix')
    .action(async (key: string) => {
      await withApp(async (app) => {
        const info = await revokeKey(app.deps, cliPrincipal(app), key);
        process.stdout.write(`Revoked ${info.prefix} (${info.name})\n`);
      });
    });

  addPackCommands(program, (use) => withApp((app) => use(app, cliPrincipal(app))));
  addSeedCommands(program, (use) => withApp((app) => use(app, cliPrincipal(app))));

  return program;
}

function positive(value: string, flag: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`${flag} takes a whole number of days, at least 1.`);
  return Number(value);
}

/** The operator at the terminal acts as the configured local principal. */
function cliPrincipal(app: App) {
  return { id: app.config.principal, roles: app.config.principalRoles, attributes: {} };
}

async function withApp(use: (app: App) => Promise<void>): Promise<void> {
  // A one-shot command runs no jobs: it would claim work only to hand it back on exit.
  const app = await createApp(config({ jobWorkers: '0' }));
  try {
    await use(app);
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  try {
    await buildCli().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every usage error exits 2 (commander already printed it).
      process.exit(error.exitCode === 0 ? 0 : USAGE_ERROR);
    }
    if (error instanceof DomainError || error instanceof ZodError) {
      process.stderr.write(`switchboard: ${error instanceof ZodError ? error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : error.message}\n`);
      process.exit(1);
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`switchboard: ${error.message}\n`);
      process.exit(USAGE_ERROR);
    }
    createLogger('error').fatal({ err: error }, 'switchboard failed');
    process.stderr.write(`switchboard: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

await main();

import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsDir } from '../src/store/schema-engine.js';
import { cliEnv, runCli } from './support/cli.js';
import { createTestDatabase, providers } from './support/harness.js';

describe.each(providers)('switchboard CLI [%s]', (provider) => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase(provider);
  });
  afterAll(async () => db.cleanup());

  it.each([[[]], [['serve']], [['stdio']], [['migrate']], [['doctor']]])('--help works on %j', async (command) => {
    const { code, stdout } = await runCli([...command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: switchboard/);
  });

  it.each([
    [['serve', '--port', 'abc'], /a port number from 0 to 65535/],
    [['serve', '--transport', 'pigeon'], /argument 'pigeon' is invalid. Allowed choices are stdio, http/],
    [['serve', '--bogus'], /unknown option '--bogus'/],
    [['launch'], /unknown command 'launch'/],
  ])('%j is a usage error: clear message, exit code 2', async (args, message) => {
    const { code, stderr } = await runCli(args, cliEnv(db.dataDir, db.databaseUrl));
    expect(stderr).toMatch(message);
    expect(code).toBe(2);
  });

  it('a bad setting names the variable: serve exits 2, doctor reports it and exits 1', async () => {
    const env = cliEnv(db.dataDir, db.databaseUrl, { SWITCHBOARD_PORT: 'ninety' });
    const serve = await runCli(['serve'], env);
    expect(serve.code).toBe(2);
    expect(serve.stderr).toMatch(/SWITCHBOARD_PORT="ninety"/);
    const doctor = await runCli(['doctor'], env);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/FAIL[\s\S]*SWITCHBOARD_PORT="ninety": must be a port number/);
  });

  it('doctor reports pending migrations, migrate applies them, doctor is then happy', async () => {
    const env = cliEnv(db.dataDir, db.databaseUrl);
    const before = await runCli(['doctor'], env);
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/FAIL .* migration\(s\) not applied.*switchboard migrate/);
    const migrate = await runCli(['migrate'], env);
    expect(migrate.code).toBe(0);
    const committed = readdirSync(migrationsDir(provider), { withFileTypes: true }).filter((e) => e.isDirectory()).length;
    expect(migrate.stdout).toMatch(new RegExp(`Applied ${committed} migration`));
    const after = await runCli(['doctor'], env);
    expect(after.stdout).toMatch(/ok +migrations are current/);
    expect(after.code).toBe(0);
    expect((await runCli(['migrate'], env)).stdout).toMatch(/up to date/);
  });

  it('keys create prints the key once; list shows it without the secret; revoke revokes', async () => {
    const env = cliEnv(db.dataDir, db.databaseUrl);
    const created = await runCli(['keys', 'create', '--name', 'ci', '--principal', 'ci-bot', '--role', 'reader', '--expires-in-days', '30'], env);
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^sb_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(/not shown again/);
    const listed = await runCli(['keys', 'list'], env);
    expect(listed.stdout).toMatch(/ci-bot\s+\[reader\]/);
    expect(listed.stdout).not.toContain(key);
    const prefix = key.slice(0, 'sb_'.length + 8);
    expect((await runCli(['keys', 'revoke', prefix], env)).stdout).toMatch(/Revoked/);
    expect((await runCli(['keys', 'list'], env)).stdout).not.toMatch(/ci-bot/);
    expect((await runCli(['keys', 'list', '--all'], env)).stdout).toMatch(/ci-bot.*revoked/);
    const bad = await runCli(['keys', 'create', '--name', 'x', '--role', 'Not A Role'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/roles\.0/);
  });
});

// `switchboard pack install|export|list|uninstall`: the pack tools for the operator at the
// terminal, who is trusted like `keys create` (no per-entry policy checks).
import { readFileSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { App } from './app.js';
import { installPack } from './domain/packs/install.js';
import { exportPack, listPacks } from './domain/packs/read.js';
import { parseManifest, type PackView } from './domain/packs/schema.js';
import { uninstallPack } from './domain/packs/uninstall.js';
import type { Principal } from './domain/principal.js';
import { parseJson } from './domain/registry/transfer.js';

type WithApp = (use: (app: App, principal: Principal) => Promise<void>) => Promise<void>;

const line = (p: PackView) => `${p.name} ${p.version}: ${p.servers} server(s), ${p.routes} route(s), ${p.policies} policies`;

function fileText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidArgumentError(code === 'ENOENT' ? 'no such file; give the path of a pack manifest (JSON).' : `cannot read it (${code ?? (error as Error).message}).`);
  }
}

export function addPackCommands(program: Command, withApp: WithApp): void {
  const pack = program.command('pack').description('Install, export, list and uninstall packs (versioned bundles of servers, routes and policies).');
  pack
    .command('install')
    .description('Install a pack manifest (JSON) in one transaction; another version of an installed pack replaces it.')
    .argument('<file>', 'the manifest file', fileText)
    .action(async (text: string) => {
      const manifest = parseManifest(parseJson(text));
      await withApp(async (app, principal) => {
        const r = await installPack(app.deps, principal, manifest);
        const verb = { installed: 'Installed', upgraded: `Upgraded from ${r.replaced} to`, unchanged: 'Already installed, unchanged:' }[r.status];
        process.stdout.write(`${verb} ${line(r.pack)}\n`);
        for (const p of r.placeholders) process.stderr.write(`${p.name}@${p.version} has placeholder secrets (${p.keys.join(', ')}): supply the real values and install a new version.\n`);
      });
    });
  pack
    .command('export')
    .description('Write an installed pack as a manifest (secret values as "<secret>").')
    .argument('<name>', 'the pack name')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (name: string, opts: { output?: string }) => {
      await withApp(async (app) => {
        const text = `${JSON.stringify(await exportPack(app.deps, name), null, 2)}\n`;
        if (opts.output) writeFileSync(opts.output, text);
        else process.stdout.write(text);
      });
    });
  pack
    .command('list')
    .description('List installed packs.')
    .action(async () => {
      await withApp(async (app) => {
        const { items } = await listPacks(app.deps, { limit: 200 });
        process.stdout.write(items.map((p) => `${line(p)}\n`).join('') || 'No packs installed.\n');
      });
    });
  pack
    .command('uninstall')
    .description('Remove exactly the rows a pack added.')
    .argument('<name>', 'the pack name')
    .addOption(new Option('--on-changed <what>', 'rows changed since install').choices(['fail', 'keep', 'remove']).default('fail'))
    .action(async (name: string, opts: { onChanged: 'fail' | 'keep' | 'remove' }) => {
      await withApp(async (app, principal) => {
        const r = await uninstallPack(app.deps, principal, { name, onChanged: opts.onChanged });
        process.stdout.write(`Uninstalled ${r.pack.name} ${r.pack.version}: removed ${r.removed.servers.length} server(s), ${r.removed.routes.length} route(s), ${r.removed.policies.length} policies${r.kept.length ? `; kept ${r.kept.join(', ')}` : ''}.\n`);
      });
    });
}

// `switchboard seed`: a demo to try every capability in a minute. It installs the pack
// switchboard-demo (two versions of a real stdio demo server — `switchboard demo-upstream` —
// routes with a canary and a fallback, and policies for a developer role with one deny), checks
// the servers' health so their tools are known, and creates a developer and a reader key. Running
// it again changes nothing that is already there (the pack is unchanged, keys are not re-created),
// except that a demo pack of different content (another installation's paths) is replaced.
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { App } from './app.js';
import { createKey, createKeyInput, listKeys } from './domain/keys/keys.js';
import { Conflict } from './domain/errors.js';
import { installPack } from './domain/packs/install.js';
import { uninstallPack } from './domain/packs/uninstall.js';
import { parseManifest, type PackManifest } from './domain/packs/schema.js';
import type { Principal } from './domain/principal.js';
import { checkServers } from './domain/upstream/health.js';

type WithApp = (use: (app: App, principal: Principal) => Promise<void>) => Promise<void>;

export const DEMO_SERVER = 'demo-tools';

/** The demo pack; `cli` is the path of this package's dist/cli.js, which the demo servers run. */
export function demoManifest(cli: string): PackManifest {
  const server = (version: string, flavor: string) => ({
    name: DEMO_SERVER,
    version,
    title: `Switchboard demo tools (${flavor})`,
    description: 'Echo, a made-up weather forecast and a slow report with progress: harmless tools to try routing, invoke, jobs, tasks and traces.',
    transport: { type: 'stdio', command: process.execPath, args: [cli, 'demo-upstream', '--flavor', flavor] },
    tags: ['demo'],
    costPerCall: 0.001,
    costPerUnit: 0.01,
  });
  const route = (intentPattern: string, toolName: string, extra: Record<string, unknown> = {}) => ({ intentPattern, serverName: DEMO_SERVER, toolName, ...extra });
  const developerTools = ['invoke', 'route_resolve', 'registry_get', 'registry_list', 'registry_search', 'job_submit', 'job_get', 'job_list', 'job_cancel', 'trace_list', 'trace_get', 'trace_stats'];
  return parseManifest({
    name: 'switchboard-demo',
    version: '1.0.0',
    description: 'The demo `switchboard seed` installs. Remove it with `switchboard pack uninstall switchboard-demo`.',
    servers: [server('1.0.0', 'blue'), server('1.1.0', 'green')],
    routes: [
      route('demo.echo', 'echo', { description: 'Any environment: the highest healthy version.' }),
      // In prod, 1.0.x takes 90 % of callers and the 1.1.x canary 10 % (a caller sticks to one side).
      route('demo.weather.*', 'forecast', { environment: 'prod', versionRange: '~1.0.0', weight: 90 }),
      route('demo.weather.*', 'forecast', { environment: 'prod', versionRange: '~1.1.0', weight: 10 }),
      route('demo.weather.*', 'forecast', { description: 'Outside prod: the highest healthy version.' }),
      route('demo.report.build', 'report', { description: 'Slow: try it with job_submit or as an MCP task.' }),
    ],
    policies: [
      { name: 'demo-developers', description: 'Developers use the demo.', effect: 'allow', principals: ['role:developer'], actions: developerTools, resources: ['**'] },
      { name: 'demo-no-prod-reports', description: 'Deny overrides allow: no reports in prod.', effect: 'deny', principals: ['role:developer'], actions: ['invoke', 'job_submit'], resources: ['demo.report.*'], environments: ['prod'] },
    ],
  });
}

/**
 * The demo pack names this installation's node and dist/cli.js, so another installation (or
 * Switchboard version) seeds different content under the same version: the demo is then reset.
 */
async function installDemo(app: App, principal: Principal) {
  const manifest = demoManifest(fileURLToPath(new URL('./cli.js', import.meta.url)));
  try {
    return await installPack(app.deps, principal, manifest);
  } catch (error) {
    if (!(error instanceof Conflict)) throw error;
    await uninstallPack(app.deps, principal, { name: manifest.name, onChanged: 'remove' });
    return installPack(app.deps, principal, manifest);
  }
}

export function addSeedCommands(program: Command, withApp: WithApp): void {
  program
    .command('seed')
    .description('Load a small demo: a demo MCP server in two versions, routes, policies, and a developer and a reader key.')
    .action(async () => {
      await withApp(async (app, principal) => {
        const installed = await installDemo(app, principal);
        const { pack } = installed;
        process.stderr.write(`${installed.status === 'unchanged' ? 'Already installed' : 'Installed'}: pack ${pack.name} ${pack.version} (${pack.servers} servers, ${pack.routes} routes, ${pack.policies} policies).\n`);
        for (const r of await checkServers(app.deps, { name: DEMO_SERVER })) process.stderr.write(`${DEMO_SERVER} ${r.version}: ${r.health}, ${r.toolCount} tools\n`);
        const existing = new Set((await listKeys(app.deps, { includeRevoked: false, limit: 200 })).items.map((k) => k.name));
        for (const [name, principalId, roles] of [
          ['demo developer', 'demo-dev', ['developer']],
          ['demo reader', 'demo-reader', ['reader']],
        ] as const) {
          if (existing.has(name)) {
            process.stderr.write(`Key "${name}" exists already (keys are shown once; \`switchboard keys create\` makes another).\n`);
            continue;
          }
          const { key } = await createKey(app.deps, principal, createKeyInput.parse({ name, principalId, roles }));
          process.stdout.write(`${name} (${principalId}, role ${roles.join(', ')}): ${key}\n`);
        }
        process.stderr.write('Next: the README\'s "Try the demo" section walks through it.\n');
      });
    });
  program
    .command('demo-upstream')
    .description('Serve the demo MCP server over stdio (what `seed` registers).')
    .option('--flavor <name>', 'which variant to answer as', 'blue')
    // Loaded when run: serving never needs the SDK's McpServer.
    .action(async (opts: { flavor: string }) => (await import('./transports/demo-upstream.js')).serveDemoUpstream(opts.flavor));
}

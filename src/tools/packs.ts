// pack_install, pack_export, pack_list, pack_uninstall. Each acts on one pack, named as the target;
// install and uninstall also check each server, route and policy the pack writes (domain/packs/authorize.ts).
import { z } from 'zod';
import { installPack } from '../domain/packs/install.js';
import { exportPack, listPacks } from '../domain/packs/read.js';
import { exportInput, installInput, installResult, listInput, packManifest, packView, uninstallInput, uninstallResult, type PackView } from '../domain/packs/schema.js';
import { uninstallPack } from '../domain/packs/uninstall.js';
import { SECRET_PLACEHOLDER } from '../domain/registry/formats.js';
import { defineTool, destructive, readOnly, type ToolContext } from './tool.js';

const line = (p: PackView) => `${p.name} ${p.version}: ${p.servers} server(s), ${p.routes} route(s), ${p.policies} polic${p.policies === 1 ? 'y' : 'ies'}${p.description ? ` — ${p.description}` : ''}`;
const enforced = (ctx: ToolContext) => ({ enforce: true, ...(ctx.context ? { context: ctx.context } : {}) });

export const packTools = [
  defineTool({
    name: 'pack_install',
    title: 'Install a pack',
    description:
      'Installs a pack: a versioned manifest { name, version, description, servers, routes, policies } whose entries are exactly what registry_register, route_create and policy_create take. All or nothing, in one transaction: if any entry is invalid, already taken (a registered server version, a policy name) or not allowed for you, nothing is written and the error names each entry (e.g. policies[1]). Every row records the pack as its source. The same name, version and content again changes nothing (status unchanged); the same version with other content is refused; another version replaces the installed one in one transaction (status upgraded), unless rows of it were changed since. Returns the pack and any servers whose secrets are still placeholders.',
    input: installInput,
    output: installResult,
    // Destructive: installing another version of an installed pack removes that version's rows.
    annotations: destructive,
    target: (a) => a.manifest.name,
    async run(args, ctx) {
      const r = await installPack(ctx.app.deps, ctx.principal, args.manifest, enforced(ctx));
      const verb = { installed: 'Installed', upgraded: `Upgraded from ${r.replaced} to`, unchanged: 'Already installed, unchanged:' }[r.status];
      const lines = [`${verb} ${line(r.pack)}`, ...r.placeholders.map((p) => `${p.name}@${p.version} has placeholder secrets (${p.keys.join(', ')} = "${SECRET_PLACEHOLDER}"): it will not authenticate until you install a version with the real values.`)];
      return { data: r, text: lines.join('\n') };
    },
  }),
  defineTool({
    name: 'pack_export',
    title: 'Export a pack',
    description: `Writes an installed pack back out as a manifest that pack_install takes: its servers, routes and policies as they are now (changes made since install included; deregistered servers left out). Secret values (env, headers) are never exported: each appears as "${SECRET_PLACEHOLDER}"; put the real values in before installing it elsewhere. Returns the manifest.`,
    input: exportInput,
    output: z.object({ manifest: packManifest }),
    annotations: readOnly,
    target: (a) => a.name,
    async run(args, ctx) {
      const manifest = await exportPack(ctx.app.deps, args.name);
      return { data: { manifest }, text: JSON.stringify(manifest, null, 2) };
    },
  }),
  defineTool({
    name: 'pack_list',
    title: 'List installed packs',
    description: 'Lists the installed packs with their version, description, who installed them and when, and how many servers, routes and policies each still owns. Paginated: pass nextCursor back as cursor.',
    input: listInput,
    output: z.object({ packs: z.array(packView), nextCursor: z.string().optional() }),
    annotations: readOnly,
    async run(args, ctx) {
      const { items, nextCursor } = await listPacks(ctx.app.deps, args);
      return { data: { packs: items, ...(nextCursor ? { nextCursor } : {}) }, text: items.map(line).join('\n') || 'No packs installed.' };
    },
  }),
  defineTool({
    name: 'pack_uninstall',
    title: 'Uninstall a pack',
    description:
      'Removes exactly the servers, routes and policies the named pack added, in one transaction; rows the pack did not add are never touched. Rows changed since install (an edited route or policy, a server whose status or metadata changed or that was deregistered) make it fail by default, naming them; pass onChanged "keep" to keep those as manual rows or "remove" to remove them too. Server versions are deleted for good (not deregistered). Returns what was removed and kept.',
    input: uninstallInput,
    output: uninstallResult,
    annotations: destructive,
    target: (a) => a.name,
    async run(args, ctx) {
      const r = await uninstallPack(ctx.app.deps, ctx.principal, args, enforced(ctx));
      const { servers, routes, policies } = r.removed;
      const lines = [`Uninstalled ${r.pack.name} ${r.pack.version}: removed ${servers.length} server(s), ${routes.length} route(s), ${policies.length} polic${policies.length === 1 ? 'y' : 'ies'}.`];
      if (r.kept.length > 0) lines.push(`Kept as manual rows: ${r.kept.join(', ')}.`);
      return { data: r, text: lines.join('\n') };
    },
  }),
];

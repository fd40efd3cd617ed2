// A pack: a versioned manifest of server entries, routes and policies shipped as one unit. Each
// entry is exactly what registry_register, route_create and policy_create accept; this file only
// adds the envelope. schemas/pack.schema.json is generated from `packManifest` (npm run docs).
import { z } from 'zod';
import { Invalid } from '../errors.js';
import { pageInput } from '../pagination.js';
import { createPolicyInput } from '../policy/store.js';
import { registerInput, semverVersion, serverName } from '../registry/schema.js';
import { createRouteInput } from '../routes/schema.js';

export const packName = serverName.describe('Pack name: a slug (billing-tools) or reverse-DNS (io.github.acme/billing).');

export const packManifest = z
  .strictObject({
    $schema: z.string().max(2000).optional().describe('Where editors find this schema, e.g. ./node_modules/switchboard-mcp/schemas/pack.schema.json.'),
    name: packName,
    version: semverVersion.describe('Semantic version of the pack, e.g. 1.2.0. Installing another version of an installed pack replaces it.'),
    description: z.string().max(4000).optional(),
    servers: z.array(registerInput).max(200).default([]).describe('Server versions to register, as registry_register takes them.'),
    routes: z.array(createRouteInput).max(500).default([]).describe('Routes to create, as route_create takes them.'),
    policies: z.array(createPolicyInput).max(200).default([]).describe('Policies to create, as policy_create takes them.'),
  })
  .superRefine((m, ctx) => {
    if (m.servers.length + m.routes.length + m.policies.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'a pack needs at least one entry in servers, routes or policies' });
    }
    const once = <T>(items: T[], key: (item: T) => string, field: string, what: string) => {
      const first = new Map<string, number>();
      items.forEach((item, i) => {
        const k = key(item);
        const at = first.get(k);
        if (at === undefined) first.set(k, i);
        else ctx.addIssue({ code: 'custom', path: [field, i], message: `${what} ${k} appears twice (also at ${field}[${at}]); keep one` });
      });
    };
    once(m.servers, (s) => `${s.name} ${s.version}`, 'servers', 'server');
    once(m.policies, (p) => p.name, 'policies', 'policy');
  })
  .describe('A Switchboard pack: server entries, routes and policies installed, exported and uninstalled as one unit.');
export type PackManifest = z.infer<typeof packManifest>;

export const packView = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  description: z.string().nullable(),
  installedBy: z.string(),
  installedAt: z.string(),
  servers: z.number().describe('Server versions the pack owns now.'),
  routes: z.number().describe('Routes the pack owns now.'),
  policies: z.number().describe('Policies the pack owns now.'),
});
export type PackView = z.infer<typeof packView>;

const serverRef = z.object({ name: z.string(), version: z.string() });

export const installInput = z.object({ manifest: packManifest });

export const installResult = z.object({
  status: z.enum(['installed', 'upgraded', 'unchanged']).describe('unchanged: this exact name, version and content was installed already; nothing was written.'),
  pack: packView,
  replaced: z.string().optional().describe('The version an upgrade replaced.'),
  placeholders: z.array(serverRef.extend({ keys: z.array(z.string()) })).describe('Servers whose env or header values are the export placeholder "<secret>": they will not authenticate until the secrets are supplied.'),
});
export type InstallResult = z.infer<typeof installResult>;

export const onChanged = z
  .enum(['fail', 'keep', 'remove'])
  .default('fail')
  .describe('Rows changed since the pack installed them: fail (nothing is removed; the error names them), keep them as manual rows, or remove them too.');

export const uninstallInput = z.object({ name: packName, onChanged });

export const uninstallResult = z.object({
  pack: z.object({ name: z.string(), version: z.string() }),
  removed: z.object({ servers: z.array(serverRef), routes: z.array(z.string()), policies: z.array(z.string()) }),
  kept: z.array(z.string()).describe('Changed rows kept as manual rows (onChanged: keep).'),
});
export type UninstallResult = z.infer<typeof uninstallResult>;

export const exportInput = z.object({ name: packName });
export const listInput = z.object({ ...pageInput });

/** A manifest read from a file (the CLI): every problem in one Invalid, each named by its place, e.g. policies[1].effect. */
export function parseManifest(document: unknown): PackManifest {
  const parsed = packManifest.safeParse(document);
  if (parsed.success) return parsed.data;
  const place = (path: PropertyKey[]) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || '(manifest)';
  // zod reports a bad record key as "Invalid key in record"; the reason is in its inner issues.
  const lines = parsed.error.issues.map((i) => `- ${place(i.path)}: ${i.code === 'invalid_key' ? i.issues.map((x) => x.message).join('; ') : i.message}`);
  throw new Invalid(`The manifest is not valid; nothing was installed. Fix these and install it again:\n${lines.join('\n')}`);
}

import { z } from 'zod';
import { deregisterServer, restoreServer, updateServer } from '../domain/registry/change.js';
import { getServer, listFilters, listServers } from '../domain/registry/read.js';
import { registerServer } from '../domain/registry/register.js';
import { registerInput, semverVersion, serverName, serverView, updateInput, type ServerView } from '../domain/registry/schema.js';
import { additive, defineTool, destructive, idempotentWrite, readOnly } from './tool.js';

const line = (s: ServerView) =>
  `${s.name}@${s.version}${s.isLatest ? ' (latest)' : ''} [${s.status}${s.deletedAt ? ', deregistered' : ''}, ${s.health.status}] ${s.transport.type}${s.title ? ` — ${s.title}` : ''}`;
const serverResult = z.object({ server: serverView });
const serversResult = z.object({ servers: z.array(serverView) });
const nameAndMaybeVersion = z.object({
  name: serverName,
  version: semverVersion.optional().describe('A version; omit for every version of the server.'),
});

export const registryTools = [
  defineTool({
    name: 'registry_register',
    title: 'Register an MCP server version',
    description:
      'Publishes one version of an MCP server in the registry: name, semver version, transport (stdio command or streamable-http/sse URL) and descriptive fields. Versions are immutable; publishing the same name and version twice is a conflict. Env and header values are secrets: stored encrypted, never shown again. Returns the stored entry.',
    input: registerInput,
    output: serverResult,
    annotations: additive,
    target: (a) => a.name,
    async run(args, ctx) {
      const server = await registerServer(ctx.app.deps, ctx.principal, args);
      return { data: { server }, text: `Registered ${line(server)}` };
    },
  }),
  defineTool({
    name: 'registry_update',
    title: 'Update status or metadata of a server version',
    description:
      'Changes the status (active, deprecated, disabled) or replaces the metadata of a published server version. Everything else about a version is immutable: to change its transport or description, register a new version. Returns the updated entry.',
    input: updateInput,
    output: serverResult,
    annotations: idempotentWrite,
    target: (a) => a.name,
    async run(args, ctx) {
      const server = await updateServer(ctx.app.deps, ctx.principal, args);
      return { data: { server }, text: `Updated ${line(server)}` };
    },
  }),
  defineTool({
    name: 'registry_get',
    title: 'Get a registered server',
    description:
      'Returns one registered server version with its transport (secrets masked), health and tool count. Without a version, returns the latest version. Use registry_search to find servers by what they do.',
    input: z.object({ name: serverName, version: semverVersion.optional().describe('Omit for the latest version.'), includeDeleted: z.boolean().default(false) }),
    output: serverResult,
    annotations: readOnly,
    target: (a) => a.name,
    async run(args, ctx) {
      const server = await getServer(ctx.app.deps, args.name, args.version, { includeDeleted: args.includeDeleted });
      return { data: { server }, text: line(server) };
    },
  }),
  defineTool({
    name: 'registry_list',
    title: 'List registered servers',
    description:
      'Lists registered server versions by name, newest version first, filtered by name, status, health, transport and tags (all or any). Paginated: pass nextCursor back as cursor for the next page.',
    input: listFilters,
    output: z.object({ servers: z.array(serverView), nextCursor: z.string().optional() }),
    annotations: readOnly,
    async run(args, ctx) {
      const { items, nextCursor } = await listServers(ctx.app.deps, args);
      const text = items.length ? items.map(line).join('\n') : 'No servers match.';
      return { data: { servers: items, ...(nextCursor ? { nextCursor } : {}) }, text: nextCursor ? `${text}\n(more: pass cursor ${nextCursor})` : text };
    },
  }),
  defineTool({
    name: 'registry_deregister',
    title: 'Deregister a server',
    description:
      'Soft-deletes one version of a server, or all its versions when no version is given. Deregistered versions disappear from lists, search and routing but keep their history; registry_restore brings them back.',
    input: nameAndMaybeVersion,
    output: serversResult,
    annotations: destructive,
    target: (a) => a.name,
    async run(args, ctx) {
      const servers = await deregisterServer(ctx.app.deps, ctx.principal, args.name, args.version);
      return { data: { servers }, text: `Deregistered ${servers.map((s) => `${s.name}@${s.version}`).join(', ')}` };
    },
  }),
  defineTool({
    name: 'registry_restore',
    title: 'Restore a deregistered server',
    description: 'Restores a deregistered version of a server, or all its deregistered versions when no version is given.',
    input: nameAndMaybeVersion,
    output: serversResult,
    annotations: idempotentWrite,
    target: (a) => a.name,
    async run(args, ctx) {
      const servers = await restoreServer(ctx.app.deps, ctx.principal, args.name, args.version);
      return { data: { servers }, text: `Restored ${servers.map((s) => `${s.name}@${s.version}`).join(', ')}` };
    },
  }),
];

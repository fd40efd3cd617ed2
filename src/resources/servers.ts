import { getServer, listServers } from '../domain/registry/read.js';
import { fixedResource, templateMatcher, type ResourceDef } from './resource.js';

// Server names may contain one '/', which URIs carry percent-encoded: switchboard://servers/io.acme%2Fweather
const one = templateMatcher('switchboard://servers/{name}');
const versioned = templateMatcher('switchboard://servers/{name}/{version}');

export const serverResources: ResourceDef[] = [
  fixedResource({
    name: 'servers',
    title: 'Registered servers',
    description: 'The latest version of every registered MCP server, with transport (secrets masked) and health.',
    uri: 'switchboard://servers',
    read: async (_params, { app }) => (await listServers(app.deps, { latestOnly: true, includeDeleted: false, tagMatch: 'all', limit: 200 })).items,
  }),
  {
    name: 'server',
    title: 'A registered server',
    description: 'The latest version of one server. Names containing "/" are percent-encoded (%2F).',
    uriTemplate: 'switchboard://servers/{name}',
    match: one,
    read: (params, { app }) => getServer(app.deps, params.name!),
    async complete(argument, prefix, { app }) {
      if (argument !== 'name') return [];
      const rows = await app.deps.db.serverVersion.findMany({
        where: { name: { startsWith: prefix }, deletedAt: null },
        distinct: ['name'],
        select: { name: true },
        orderBy: { name: 'asc' },
        take: 101,
      });
      return rows.map((r) => r.name);
    },
  },
  {
    name: 'server-version',
    title: 'A server version',
    description: 'One version of a registered server.',
    uriTemplate: 'switchboard://servers/{name}/{version}',
    match: versioned,
    read: (params, { app }) => getServer(app.deps, params.name!, params.version!),
  },
];

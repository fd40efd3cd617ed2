// The two interchange formats: the official MCP registry's server.json (schema 2025-09-29, also
// inside its API envelopes) and the mcpServers map of Claude Desktop / Claude Code / Cursor
// (VS Code calls it `servers`). Parsing yields candidate registry entries, still unvalidated.
import { Invalid } from '../errors.js';

export type Candidate = { path: string; entry: Record<string, unknown> };
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** A package of server.json as the command that runs it. */
function packageCommand(pkg: Json, path: string): { command: string; args: string[] } {
  const id = String(pkg.identifier ?? '');
  const version = typeof pkg.version === 'string' ? pkg.version : undefined;
  const argValues = (list: unknown) => (Array.isArray(list) ? list.filter(isObject).flatMap((a) => [a.name, a.value ?? a.default].filter((x): x is string => typeof x === 'string')) : []);
  const runtime = argValues(pkg.runtimeArguments);
  const packageArgs = argValues(pkg.packageArguments);
  switch (pkg.registryType) {
    case 'npm':
      return { command: 'npx', args: [...runtime, '-y', version ? `${id}@${version}` : id, ...packageArgs] };
    case 'pypi':
      return { command: 'uvx', args: [...runtime, version ? `${id}==${version}` : id, ...packageArgs] };
    case 'oci':
      return { command: 'docker', args: ['run', '-i', '--rm', ...runtime, version ? `${id}:${version}` : id, ...packageArgs] };
    default:
      throw new Invalid(`${path}.registryType ${JSON.stringify(pkg.registryType)} is not supported: use npm, pypi or oci, or a remote with a URL.`);
  }
}

function fromServerJson(doc: Json, path: string): Candidate {
  const remote = Array.isArray(doc.remotes) ? doc.remotes.find(isObject) : undefined;
  const pkg = Array.isArray(doc.packages) ? doc.packages.find(isObject) : undefined;
  const own = isObject(doc._meta) ? doc._meta['io.switchboard/transport'] : undefined;
  let transport: Json | undefined;
  // Switchboard's own export carries a stdio command that server.json cannot express.
  if (isObject(own)) transport = own;
  else if (remote) {
    const headers = Array.isArray(remote.headers) ? remote.headers.filter(isObject) : [];
    transport = { type: remote.type, url: remote.url, headers: Object.fromEntries(headers.map((h) => [String(h.name), String(h.value ?? '')])) };
  } else if (pkg) {
    const env = Array.isArray(pkg.environmentVariables) ? pkg.environmentVariables.filter(isObject) : [];
    transport = { type: 'stdio', ...packageCommand(pkg, `${path}.packages[0]`), env: Object.fromEntries(env.map((e) => [String(e.name), String(e.value ?? e.default ?? '')])) };
  }
  const repository = isObject(doc.repository) ? doc.repository.url : undefined;
  return {
    path,
    entry: {
      name: doc.name,
      version: doc.version,
      ...(doc.title !== undefined ? { title: doc.title } : {}),
      ...(doc.description !== undefined ? { description: doc.description } : {}),
      ...(repository !== undefined ? { repositoryUrl: repository } : {}),
      ...(doc.websiteUrl !== undefined ? { websiteUrl: doc.websiteUrl } : {}),
      transport,
      metadata: { serverJson: withoutSecretValues(doc) },
    },
  };
}

/**
 * The document as kept in metadata (shown by registry_get, reused by export): values of env
 * variables and headers are secrets, which live only in the encrypted transport.
 */
function withoutSecretValues(doc: Json): Json {
  const scrub = (list: unknown) => (Array.isArray(list) ? list.map((v) => (isObject(v) && v.value !== undefined ? { ...v, value: '<secret>' } : v)) : list);
  return {
    ...doc,
    ...(Array.isArray(doc.packages) ? { packages: doc.packages.map((p) => (isObject(p) ? { ...p, environmentVariables: scrub(p.environmentVariables) } : p)) } : {}),
    ...(Array.isArray(doc.remotes) ? { remotes: doc.remotes.map((r) => (isObject(r) ? { ...r, headers: scrub(r.headers) } : r)) } : {}),
  };
}

/** mcpServers keys are free text; registry names are not: keep letters, digits, . _ - (rest → -). */
export function sanitizeName(key: string): string {
  return key.replace(/[^a-zA-Z0-9._-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '').slice(0, 100) || 'server';
}

function fromMcpServers(map: Json, key: string, version: string): Candidate[] {
  return Object.entries(map).map(([name, value]) => {
    const path = `${key}.${name}`;
    if (!isObject(value)) return { path, entry: { name, version } };
    const url = value.url ?? value.serverUrl;
    const type = value.type === 'sse' ? 'sse' : 'streamable-http';
    const transport = url !== undefined
      ? { type, url, headers: isObject(value.headers) ? value.headers : {} }
      : { type: 'stdio', command: value.command, args: strings(value.args), env: isObject(value.env) ? value.env : {}, ...(typeof value.cwd === 'string' ? { cwd: value.cwd } : {}) };
    return { path, entry: { name: sanitizeName(name), version, title: name, transport } };
  });
}

export type Format = 'auto' | 'server.json' | 'mcpServers';

/** Every entry the document holds, with where it was found (for error messages). */
export function parseDocument(document: unknown, format: Format, version: string): Candidate[] {
  if (!isObject(document)) throw new Invalid('The document must be a JSON object: a server.json, a registry { servers: [...] } list, or an { mcpServers: {...} } config.');
  const mcpKey = isObject(document.mcpServers) ? 'mcpServers' : isObject(document.servers) ? 'servers' : undefined;
  if (format === 'mcpServers' || (format === 'auto' && mcpKey)) {
    if (!mcpKey) throw new Invalid('No mcpServers (or VS Code servers) object found in the document.');
    return fromMcpServers(document[mcpKey] as Json, mcpKey, version);
  }
  const docs: { doc: unknown; path: string }[] = Array.isArray(document.servers)
    ? document.servers.map((s, i) => ({ doc: isObject(s) && isObject(s.server) ? s.server : s, path: `servers[${i}]` }))
    : [{ doc: isObject(document.server) ? document.server : document, path: isObject(document.server) ? 'server' : '(document)' }];
  return docs.map(({ doc, path }) => (isObject(doc) ? fromServerJson(doc, path) : { path, entry: {} }));
}

// The official MCP registry's server.json (schema 2025-09-29), both ways, and what the import
// formats share (client-config.ts has the other). Parsing yields candidate registry entries,
// still unvalidated, and the problems the format itself has.
import type { ServerView } from './schema.js';

/** What every env and header value becomes on the way out: Switchboard treats them all as secrets. */
export const SECRET_PLACEHOLDER = '<secret>';
export const SERVER_JSON_SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json';
/** Our _meta key in server.json: registry fields the format lacks, a stdio command it cannot express, a made-up description. */
const EXTENSION = 'io.switchboard/registry';
const EXTENSION_FIELDS = ['status', 'tags', 'priority', 'isRequired', 'dependencies', 'costPerCall', 'costPerUnit'] as const;

export type Json = Record<string, unknown>;
/**
 * `fields` maps an entry field to where it came from in the document, for error messages;
 * `reported` names the fields whose problem is already in `problems` (left out of the entry).
 */
export type Candidate = { path: string; entry: Json; problems: string[]; fields: Record<string, string>; reported: string[] };

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const defined = (o: Json): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
/** Env or header names with every value replaced by the placeholder; undefined when there are none. */
export const maskedValues = (values: Record<string, string> | undefined) =>
  values && Object.keys(values).length > 0 ? Object.fromEntries(Object.keys(values).map((k) => [k, SECRET_PLACEHOLDER])) : undefined;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const extensionOf = (doc: Json): Json => (isObject(doc._meta) && isObject(doc._meta[EXTENSION]) ? doc._meta[EXTENSION] : {});

/** A package of server.json as the command that runs it, or why it cannot be run. */
function packageCommand(pkg: Json, path: string): { command: string; args: string[]; problems: string[] } | string {
  if (isObject(pkg.transport) && pkg.transport.type !== 'stdio') {
    return `${path}.transport.type ${JSON.stringify(pkg.transport.type)}: Switchboard runs packages over stdio only; describe the running server as a remote with its URL.`;
  }
  if (typeof pkg.identifier !== 'string' || pkg.identifier === '') return `${path}.identifier is missing: name the package to run.`;
  const problems: string[] = [];
  const id = pkg.identifier;
  const ref = (sep: string) => (typeof pkg.version === 'string' ? `${id}${sep}${pkg.version}` : id);
  const runtime = argumentValues(pkg.runtimeArguments, `${path}.runtimeArguments`, problems);
  const args = argumentValues(pkg.packageArguments, `${path}.packageArguments`, problems);
  if (pkg.registryType === 'npm') return { command: 'npx', args: [...runtime, '-y', ref('@'), ...args], problems };
  if (pkg.registryType === 'pypi') return { command: 'uvx', args: [...runtime, ref('=='), ...args], problems };
  if (pkg.registryType === 'oci') return { command: 'docker', args: ['run', '-i', '--rm', ...runtime, ref(':'), ...args], problems };
  return `${path}.registryType ${JSON.stringify(pkg.registryType)} is not supported: use npm, pypi or oci, or describe the server with a remote URL.`;
}

function argumentValues(items: unknown, path: string, problems: string[]): string[] {
  return list(items).flatMap((a, i) => {
    if (!isObject(a)) return [];
    const value = a.value ?? a.default;
    if (a.isSecret === true && value !== undefined) {
      problems.push(`${path}[${i}] is a secret argument with a value: command lines are not secret in Switchboard; pass the secret through an environment variable.`);
      return [];
    }
    const values = value === undefined ? [] : [String(value)];
    return a.type === 'named' && typeof a.name === 'string' ? [a.name, ...values] : values;
  });
}

/** environmentVariables / headers ([{ name, value?, default? }]) as a map; the value wins over the default. */
function keyValues(items: unknown, path: string, problems: string[]): Record<string, string> {
  const entries = list(items).flatMap((item, i): [string, string][] => {
    if (isObject(item) && typeof item.name === 'string') return [[item.name, String(item.value ?? item.default ?? '')]];
    problems.push(`${path}[${i}] needs a name.`);
    return [];
  });
  return Object.fromEntries(entries);
}

/** Our own stdio command first, then remotes[0], then the first package Switchboard can run. */
function serverJsonTransport(doc: Json, path: string, problems: string[]): { transport?: Json; from?: string } {
  const own = extensionOf(doc).transport;
  if (own !== undefined) return { transport: isObject(own) ? { ...own, type: 'stdio' } : {}, from: `${path}._meta[${JSON.stringify(EXTENSION)}].transport` };
  const remote = list(doc.remotes)[0];
  if (remote !== undefined) {
    const r = isObject(remote) ? remote : {};
    if (r.type !== 'streamable-http' && r.type !== 'sse') {
      problems.push(`${path}.remotes[0].type ${JSON.stringify(r.type)} is not supported: use streamable-http or sse.`);
      return {};
    }
    return { transport: { type: r.type, url: r.url, headers: keyValues(r.headers, `${path}.remotes[0].headers`, problems) }, from: `${path}.remotes[0]` };
  }
  const reasons: string[] = [];
  for (const [i, pkg] of list(doc.packages).entries()) {
    const where = `${path}.packages[${i}]`;
    const run = isObject(pkg) ? packageCommand(pkg, where) : `${where} is not an object.`;
    if (typeof run === 'string') {
      reasons.push(run);
      continue;
    }
    problems.push(...run.problems);
    const env = keyValues((pkg as Json).environmentVariables, `${where}.environmentVariables`, problems);
    return { transport: { type: 'stdio', command: run.command, args: run.args, env }, from: where };
  }
  problems.push(...(reasons.length > 0 ? reasons : [`${path} has no remotes or packages: nothing says how to reach the server. Add a remote (URL) or a package (npm, pypi or oci).`]));
  return {};
}

export function fromServerJson(doc: Json, path: string): Candidate {
  const problems: string[] = [];
  const ext = extensionOf(doc);
  const extPath = `${path}._meta[${JSON.stringify(EXTENSION)}]`;
  const { transport, from } = serverJsonTransport(doc, path, problems);
  if (ext.metadata !== undefined && !isObject(ext.metadata)) problems.push(`${extPath}.metadata must be an object.`);
  const entry = defined({
    name: doc.name,
    version: doc.version,
    title: doc.title,
    // server.json requires a description; our export marks one it had to make up.
    description: ext.description === null ? undefined : doc.description,
    repositoryUrl: isObject(doc.repository) ? doc.repository.url : undefined,
    websiteUrl: doc.websiteUrl,
    transport,
    ...Object.fromEntries(EXTENSION_FIELDS.map((f) => [f, ext[f]])),
    metadata: { ...(isObject(ext.metadata) ? ext.metadata : {}), serverJson: keptServerJson(doc) },
  });
  const fields = { repositoryUrl: `${path}.repository.url`, metadata: `${path} (kept as metadata.serverJson)`, ...(from ? { transport: from } : {}) };
  return { path, entry, problems, fields: { ...fields, ...Object.fromEntries(EXTENSION_FIELDS.map((f) => [f, `${extPath}.${f}`])) }, reported: transport ? [] : ['transport'] };
}

/** A value input of server.json (env variable, header) with its value, default and variables masked. */
function maskInput(input: unknown): unknown {
  if (!isObject(input)) return input;
  const variables = isObject(input.variables) ? { variables: Object.fromEntries(Object.entries(input.variables).map(([k, v]) => [k, maskInput(v)])) } : {};
  return { ...input, ...(input.value !== undefined ? { value: SECRET_PLACEHOLDER } : {}), ...(input.default !== undefined ? { default: SECRET_PLACEHOLDER } : {}), ...variables };
}

/** The document as kept in metadata and exported: every env and header value masked, our _meta key removed. */
export function keptServerJson(doc: Json): Json {
  const masked = (items: unknown) => (Array.isArray(items) ? items.map(maskInput) : items);
  const meta = isObject(doc._meta) ? Object.fromEntries(Object.entries(doc._meta).filter(([k]) => k !== EXTENSION)) : undefined;
  return defined({
    ...doc,
    packages: Array.isArray(doc.packages) ? doc.packages.map((p) => (isObject(p) ? defined({ ...p, environmentVariables: masked(p.environmentVariables) }) : p)) : undefined,
    remotes: Array.isArray(doc.remotes) ? doc.remotes.map((r) => (isObject(r) ? defined({ ...r, headers: masked(r.headers) }) : r)) : undefined,
    _meta: meta && Object.keys(meta).length > 0 ? meta : undefined,
  });
}

/**
 * One version as server.json: the document it was imported from when there is one (masked), with
 * the registry's own fields laid over it; whatever server.json cannot say travels in our _meta key.
 */
export function toServerJson(s: ServerView): Json {
  const { serverJson, ...metadata } = s.metadata;
  const stored = isObject(serverJson) ? keptServerJson(serverJson) : {};
  const t = s.transport;
  // The stored document describes this transport only if importing it again yields the same one.
  const derived = serverJsonTransport(stored, '', []).transport;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const keys = (o: unknown) => Object.keys(isObject(o) ? o : {}).sort();
  const described = derived !== undefined && (t.type === 'stdio'
    ? derived.command === t.command && same(derived.args, t.args) && same(keys(derived.env), keys(t.env))
    : derived.type === t.type && derived.url === t.url && same(keys(derived.headers), keys(t.headers)));
  const remotes = t.type !== 'stdio' && !described ? [{ type: t.type, url: t.url, headers: keys(t.headers).map((name) => ({ name, value: SECRET_PLACEHOLDER, isSecret: true })) }] : undefined;
  const defaults: Json = { status: 'active', priority: 'medium', isRequired: false, costPerCall: null, costPerUnit: null };
  const ext = defined({
    ...Object.fromEntries(EXTENSION_FIELDS.map((f) => [f, s[f] === defaults[f] || (Array.isArray(s[f]) && s[f].length === 0) ? undefined : s[f]])),
    metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
    description: s.description === null ? null : undefined,
    transport: t.type === 'stdio' && !described ? defined({ command: t.command, args: t.args, env: maskedValues(t.env), cwd: t.cwd }) : undefined,
  });
  const meta = { ...(isObject(stored._meta) ? stored._meta : {}), ...(Object.keys(ext).length > 0 ? { [EXTENSION]: ext } : {}) };
  const storedRepository = isObject(stored.repository) && stored.repository.url === s.repositoryUrl ? stored.repository : undefined;
  const host = s.repositoryUrl ? new URL(s.repositoryUrl).hostname.split('.') : [];
  return defined({
    $schema: SERVER_JSON_SCHEMA,
    ...stored,
    name: s.name,
    version: s.version,
    title: s.title ?? undefined,
    description: s.description ?? s.title ?? s.name,
    repository: storedRepository ?? (s.repositoryUrl ? { url: s.repositoryUrl, source: host[host.length - 2] ?? host[0] } : undefined),
    websiteUrl: s.websiteUrl ?? undefined,
    remotes: remotes ?? stored.remotes,
    _meta: Object.keys(meta).length > 0 ? meta : undefined,
  });
}

// registry_import and registry_export: all or nothing in, secrets never out.
import semver from 'semver';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import { unacceptable } from '../json-guard.js';
import { Invalid, NotFound } from '../errors.js';
import type { Principal } from '../principal.js';
import { isUniqueViolation } from '../../store/index.js';
import { fromClientConfig, toClientEntry } from './client-config.js';
import { fromServerJson, isObject, SECRET_PLACEHOLDER, toServerJson, type Candidate } from './formats.js';
import { duplicate, insertServer } from './register.js';
import { registerInput, semverVersion, serverName, type RegisterInput } from './schema.js';
import { toView, withToolCount } from './view.js';

const MAX_DOCUMENT = 1_000_000;
const MAX_ENTRIES = 500;

export const importInput = z.object({
  document: z
    .union([z.string().max(MAX_DOCUMENT), z.record(z.string(), z.unknown())])
    .describe('The file: its JSON text (at most 1 MB) or the parsed object. A server.json, a registry { "servers": [...] } list, or a client config with "mcpServers" (VS Code: "servers").'),
  format: z.enum(['auto', 'server.json', 'mcpServers']).default('auto').describe('auto: a client config when the document has mcpServers (or VS Code servers), server.json otherwise.'),
  onConflict: z.enum(['fail', 'skip']).default('fail').describe('A name and version that is already registered: fail the whole import (nothing is imported), or skip that entry.'),
  version: semverVersion.default('1.0.0').describe('Version given to client config (mcpServers) entries, which have none.'),
});
export type ImportInput = z.infer<typeof importInput>;

export const importResult = z.object({
  imported: z.array(z.object({ name: z.string(), version: z.string() })),
  skipped: z.array(z.object({ name: z.string(), version: z.string(), reason: z.string() })),
  placeholders: z
    .array(z.object({ name: z.string(), version: z.string(), keys: z.array(z.string()) }))
    .describe(`Imported entries whose env or header values are the export placeholder "${SECRET_PLACEHOLDER}": those servers will not authenticate until the secrets are supplied.`),
});
export type ImportResult = z.infer<typeof importResult>;

/**
 * Registers every entry of the document in one transaction. Every entry is checked first; if any
 * is invalid nothing is written and the error lists each problem with its place in the document.
 */
export async function importServers(deps: Deps, principal: Principal, input: ImportInput): Promise<ImportResult> {
  const document = typeof input.document === 'string' ? parseJson(input.document) : input.document;
  if (JSON.stringify(document).length > MAX_DOCUMENT) throw new Invalid('The document is larger than 1 MB; split it into smaller files and import each.');
  const candidates = parseDocument(document, input.format, input.version);
  if (candidates.length === 0) throw new Invalid('The document holds no servers to import.');
  if (candidates.length > MAX_ENTRIES) throw new Invalid(`The document holds ${candidates.length} servers; import at most ${MAX_ENTRIES} at a time (split the file).`);
  const entries = validate(candidates);

  const result: ImportResult = { imported: [], skipped: [], placeholders: [] };
  try {
    // An import can hold hundreds of entries; the default 5 s interactive-transaction limit is too short.
    await deps.db.$transaction(
      async (tx) => {
        for (const entry of entries) {
          if (await tx.serverVersion.findUnique({ where: { name_version: { name: entry.name, version: entry.version } }, select: { id: true } })) {
            if (input.onConflict === 'fail') throw duplicate(entry);
            result.skipped.push({ name: entry.name, version: entry.version, reason: 'already registered' });
            continue;
          }
          await insertServer(tx, deps, principal, entry, { source: 'import' });
          result.imported.push({ name: entry.name, version: entry.version });
          const keys = placeholderKeys(entry);
          if (keys.length > 0) result.placeholders.push({ name: entry.name, version: entry.version, keys });
        }
      },
      { timeout: 120_000, maxWait: 10_000 },
    );
  } catch (error) {
    // Another writer registered one of these versions between our check and our insert.
    if (isUniqueViolation(error)) throw new Invalid('A server version in the document was registered by someone else during the import; nothing was imported. Import again.');
    throw error;
  }
  if (result.imported.length > 0) deps.feed.touch('servers');
  return result;
}

/**
 * Every entry the document holds, with where it was found. 'auto' reads a client config when there
 * is an mcpServers (or VS Code servers) object, and server.json otherwise.
 */
function parseDocument(document: unknown, format: ImportInput['format'], version: string): Candidate[] {
  if (!isObject(document)) throw new Invalid('The document must be a JSON object: a server.json, a registry { "servers": [...] } list, or a client config with "mcpServers" (or VS Code "servers").');
  const clientKey = isObject(document.mcpServers) ? 'mcpServers' : isObject(document.servers) ? 'servers' : undefined;
  if (clientKey && format !== 'server.json') return fromClientConfig(document[clientKey] as Record<string, unknown>, clientKey, version);
  if (format === 'mcpServers') throw new Invalid('The document has no "mcpServers" object (or VS Code "servers" object). For a server.json, use format "server.json" or "auto".');
  const docs = Array.isArray(document.servers)
    ? document.servers.map((s, i) => (isObject(s) && isObject(s.server) ? { doc: s.server, path: `servers[${i}].server` } : { doc: s, path: `servers[${i}]` }))
    : [isObject(document.server) ? { doc: document.server, path: 'server' } : { doc: document, path: '(document)' }];
  return docs.map(({ doc, path }) => (isObject(doc) ? fromServerJson(doc, path) : { path, entry: {}, problems: [`${path} must be a server.json object.`], fields: {}, reported: ['*'] }));
}

/** Each candidate through registerInput; all problems of all entries in one Invalid, or the entries. */
function validate(candidates: Candidate[]): RegisterInput[] {
  const problems: string[] = [];
  const entries: RegisterInput[] = [];
  const seen = new Map<string, string>();
  for (const c of candidates) {
    problems.push(...c.problems.map((p) => `- ${p}`));
    const parsed = registerInput.safeParse(c.entry);
    if (parsed.success) {
      const key = `${parsed.data.name}@${parsed.data.version}`;
      const first = seen.get(key);
      if (first) problems.push(`- ${c.path}: ${parsed.data.name} ${parsed.data.version} appears twice in the document (also at ${first}); keep one.`);
      seen.set(key, first ?? c.path);
      entries.push(parsed.data);
      continue;
    }
    for (const issue of parsed.error.issues) {
      const [head, ...rest] = issue.path.map(String);
      if (c.reported.includes('*') || (head !== undefined && c.reported.includes(head))) continue;
      const where = head === undefined ? c.path : (c.fields[head] ?? `${c.path}.${head}`);
      // zod reports a bad record key as "Invalid key in record"; the reason is in its inner issues.
      const message = issue.code === 'invalid_key' ? issue.issues.map((i) => i.message).join('; ') : issue.message;
      problems.push(`- ${[where, ...rest].join('.')}: ${message}`);
    }
  }
  if (problems.length > 0) throw new Invalid(`Nothing was imported. Fix these problems in the document and import it again:\n${problems.join('\n')}`);
  return entries;
}

function placeholderKeys(entry: RegisterInput): string[] {
  const values = entry.transport.type === 'stdio' ? entry.transport.env : entry.transport.headers;
  return Object.entries(values).flatMap(([k, v]) => (v === SECRET_PLACEHOLDER ? [k] : []));
}

/** JSON.parse, with a failure reported as a line and column (Node 20 does not always give one). */
export function parseJson(text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const offset = failureOffset(text);
    const before = text.slice(0, offset).split('\n');
    const snippet = JSON.stringify(text.slice(Math.max(0, offset - 20), offset + 20));
    const where = offset >= text.trimEnd().length ? 'at the end: the text stops before the JSON is complete' : `at line ${before.length}, column ${before[before.length - 1]!.length + 1}, near ${snippet}`;
    throw new Invalid(`The document is not valid JSON: it fails ${where} (${(error as Error).message}). Pass the file's exact text, or the parsed object.`);
  }
  // What the arguments' check cannot see inside the text: the same limits, now that it is parsed.
  const bad = unacceptable(parsed);
  if (bad) throw new Invalid(`The document's ${bad.path.length ? bad.path.join('.') : 'top level'} ${bad.message}.`);
  return parsed;
}

/**
 * Where parsing goes wrong: the longest prefix that is still valid-but-unfinished JSON ends there.
 * Being such a prefix (its parse fails only at its end, or not at all) is monotone in the length,
 * so a binary search finds it in about 20 parses of a 1 MB text.
 */
function failureOffset(text: string): number {
  const viable = (length: number) => {
    try {
      JSON.parse(text.slice(0, length));
      return true;
    } catch (error) {
      const message = (error as Error).message;
      const position = /at position (\d+)/.exec(message)?.[1];
      return message.includes('Unexpected end of JSON input') || (position !== undefined && Number(position) >= length);
    }
  };
  if (viable(text.length)) return text.length;
  let [good, bad] = [0, text.length];
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    if (viable(mid)) good = mid;
    else bad = mid;
  }
  return good;
}

export const exportInput = z.object({
  format: z.enum(['server.json', 'mcpServers']).describe('server.json: { "servers": [...] } for the MCP registry or another Switchboard; mcpServers: a client config.'),
  names: z.array(serverName).max(500).optional().describe('Only these servers; default all.'),
  includeDeleted: z.boolean().default(false).describe('Also export servers whose versions are all deregistered.'),
});
export type ExportInput = z.infer<typeof exportInput>;

/**
 * One version per server (the latest, else the highest version that is still a candidate), as a
 * server.json list or a client config. Env and header values are exported as "<secret>" only:
 * re-supply the secrets (edit the file) before importing it elsewhere.
 */
export async function exportServers(deps: Deps, input: ExportInput): Promise<Record<string, unknown>> {
  const rows = await deps.db.serverVersion.findMany({
    where: { ...(input.includeDeleted ? {} : { deletedAt: null }), ...(input.names ? { name: { in: input.names } } : {}) },
    orderBy: { name: 'asc' },
    include: withToolCount,
  });
  const unknown = (input.names ?? []).filter((name) => !rows.some((r) => r.name === name));
  if (unknown.length > 0) {
    throw new NotFound(`Not registered${input.includeDeleted ? '' : ' (or deregistered)'}: ${unknown.join(', ')}. Check the names with registry_list or registry_search; nothing was exported.`);
  }
  const chosen = new Map<string, (typeof rows)[number]>();
  for (const row of rows) {
    const current = chosen.get(row.name);
    if (!current || rank(row) > rank(current) || (rank(row) === rank(current) && semver.gt(row.version, current.version))) chosen.set(row.name, row);
  }
  const servers = [...chosen.values()].map((row) => toView(row));
  if (input.format === 'mcpServers') return { mcpServers: Object.fromEntries(servers.map((s) => [s.name, toClientEntry(s)])) };
  return { servers: servers.map((s) => toServerJson(s)) };
}

/** Which version of a name to export: the latest, then any live one, then a deregistered one. */
const rank = (row: { isLatest: boolean; deletedAt: Date | null }) => (row.isLatest ? 2 : row.deletedAt ? 0 : 1);

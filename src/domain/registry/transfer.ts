// registry_import and registry_export: all or nothing in, secrets never out.
import { z } from 'zod';
import { bumpTopic } from '../change-feed.js';
import type { Deps } from '../deps.js';
import { Invalid } from '../errors.js';
import type { Principal } from '../principal.js';
import { isUniqueViolation } from '../../store/index.js';
import { parseDocument } from './formats.js';
import { duplicate, insertServer } from './register.js';
import { registerInput, semverVersion, serverName, type ServerView } from './schema.js';
import { toView, withToolCount } from './view.js';

export const SECRET_PLACEHOLDER = '<secret>';

export const importInput = z.object({
  document: z
    .union([z.string().max(1_000_000), z.record(z.string(), z.unknown())])
    .describe('The file: a JSON object, or its text (at most 1 MB).'),
  format: z.enum(['auto', 'server.json', 'mcpServers']).default('auto'),
  onConflict: z.enum(['fail', 'skip']).default('fail').describe('A version that exists already: fail the whole import, or skip it.'),
  version: semverVersion.default('1.0.0').describe('Version given to mcpServers entries, which have none.'),
});

export const importResult = z.object({
  imported: z.array(z.object({ name: z.string(), version: z.string() })),
  skipped: z.array(z.object({ name: z.string(), version: z.string(), reason: z.string() })),
});

export async function importServers(deps: Deps, by: Principal, input: z.infer<typeof importInput>): Promise<z.infer<typeof importResult>> {
  let document: unknown = input.document;
  if (typeof document === 'string') {
    try {
      document = JSON.parse(document);
    } catch (error) {
      throw new Invalid(`The document is not valid JSON (${(error as Error).message}). Pass the file's exact text, or the parsed object.`);
    }
  }
  const candidates = parseDocument(document, input.format, input.version);
  if (candidates.length === 0) throw new Invalid('The document holds no servers to import.');
  const parsed = candidates.map((c) => ({ ...c, result: registerInput.safeParse(c.entry) }));
  const problems = parsed.flatMap((p) => (p.result.success ? [] : p.result.error.issues.map((i) => `- ${p.path}${i.path.length ? `.${i.path.join('.')}` : ''}: ${i.message}`)));
  if (problems.length > 0) throw new Invalid(`Nothing was imported; fix these entries and import again:\n${problems.join('\n')}`);

  const result: z.infer<typeof importResult> = { imported: [], skipped: [] };
  await deps.db.$transaction(async (tx) => {
    for (const { result: r } of parsed) {
      const entry = r.data!;
      const exists = await tx.serverVersion.findUnique({ where: { name_version: { name: entry.name, version: entry.version } }, select: { id: true } });
      if (exists) {
        if (input.onConflict === 'fail') throw duplicate(entry);
        result.skipped.push({ name: entry.name, version: entry.version, reason: 'already registered' });
        continue;
      }
      await insertServer(tx, deps, by, entry, { source: 'import' });
      result.imported.push({ name: entry.name, version: entry.version });
    }
    await bumpTopic(tx, 'servers');
  }).catch((error: unknown) => {
    if (isUniqueViolation(error)) throw new Invalid('The document names the same server version twice; remove the duplicate and import again.');
    throw error;
  });
  deps.feed.touch('servers');
  return result;
}

export const exportInput = z.object({
  format: z.enum(['server.json', 'mcpServers']),
  names: z.array(serverName).max(500).optional().describe('Only these servers; default all.'),
});

const masked = (values: Record<string, string> | undefined) => Object.fromEntries(Object.keys(values ?? {}).map((k) => [k, SECRET_PLACEHOLDER]));

/** The latest version of each server, secrets replaced by "<secret>" (re-supply them after importing). */
export async function exportServers(deps: Deps, input: z.infer<typeof exportInput>): Promise<Record<string, unknown>> {
  const rows = await deps.db.serverVersion.findMany({
    where: { isLatest: true, deletedAt: null, ...(input.names ? { name: { in: input.names } } : {}) },
    orderBy: { name: 'asc' },
    include: withToolCount,
  });
  const views = rows.map(toView);
  if (input.format === 'mcpServers') return { mcpServers: Object.fromEntries(views.map((s) => [s.name, toMcpServer(s)])) };
  return { servers: views.map(toServerJson) };
}

function toMcpServer(s: ServerView): Record<string, unknown> {
  const t = s.transport;
  if (t.type === 'stdio') return { command: t.command, args: t.args ?? [], env: masked(t.env), ...(t.cwd ? { cwd: t.cwd } : {}) };
  return { type: t.type === 'sse' ? 'sse' : 'http', url: t.url, headers: masked(t.headers) };
}

function toServerJson(s: ServerView): Record<string, unknown> {
  const t = s.transport;
  const base = {
    $schema: 'https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json',
    name: s.name,
    version: s.version,
    description: s.description ?? s.title ?? s.name,
    ...(s.title ? { title: s.title } : {}),
    ...(s.repositoryUrl ? { repository: { url: s.repositoryUrl, source: new URL(s.repositoryUrl).hostname.split('.').slice(-2, -1)[0] ?? 'git' } } : {}),
    ...(s.websiteUrl ? { websiteUrl: s.websiteUrl } : {}),
  };
  if (t.type !== 'stdio') {
    return { ...base, remotes: [{ type: t.type, url: t.url, headers: Object.keys(t.headers ?? {}).map((name) => ({ name, value: SECRET_PLACEHOLDER, isSecret: true })) }] };
  }
  // server.json describes packages, not commands: a stdio entry travels in _meta so nothing is lost.
  const imported = s.metadata.serverJson as { packages?: unknown } | undefined;
  return {
    ...base,
    ...(imported?.packages ? { packages: imported.packages } : {}),
    _meta: { 'io.switchboard/transport': { type: 'stdio', command: t.command, args: t.args, env: masked(t.env), ...(t.cwd ? { cwd: t.cwd } : {}) } },
  };
}

// registry_import and registry_export. Neither has a `target`: each acts on many servers at once,
// and a single resource string would let a policy on one name pass or block the whole batch.
import { z } from 'zod';
import { SECRET_PLACEHOLDER } from '../domain/registry/formats.js';
import { exportInput, exportServers, importInput, importResult, importServers, type ImportResult } from '../domain/registry/transfer.js';
import { additive, defineTool, readOnly } from './tool.js';

const ref = (s: { name: string; version: string }) => `${s.name}@${s.version}`;

function importText(r: ImportResult): string {
  const lines = [`Imported ${r.imported.length}: ${r.imported.map(ref).join(', ') || 'none'}.`];
  if (r.skipped.length) lines.push(`Skipped ${r.skipped.length}: ${r.skipped.map((s) => `${ref(s)} (${s.reason})`).join(', ')}.`);
  for (const p of r.placeholders) {
    lines.push(`${ref(p)} has placeholder secrets (${p.keys.join(', ')} = "${SECRET_PLACEHOLDER}"): it will not authenticate. Put the real values in the document and import it as a new version.`);
  }
  return lines.join('\n');
}

export const registryTransferTools = [
  defineTool({
    name: 'registry_import',
    title: 'Import servers',
    description:
      'Registers every server in a document: the official MCP registry’s server.json (or its { servers: [...] } list), or a client config with mcpServers (Claude Desktop, Claude Code, Cursor) or servers (VS Code). Pass the file as text or as a parsed object. Client config entries carry no version: they get `version` (default 1.0.0), and keys that are not valid server names are turned into one (the original key becomes the title). All or nothing: if any entry is invalid nothing is imported, and the error lists each problem with its place in the document. onConflict decides whether an already registered version fails the import or is skipped. Returns what was imported and skipped.',
    input: importInput,
    output: importResult,
    annotations: additive,
    async run(args, ctx) {
      const result = await importServers(ctx.app.deps, ctx.principal, args);
      return { data: result, text: importText(result) };
    },
  }),
  defineTool({
    name: 'registry_export',
    title: 'Export servers',
    description: `Writes the latest version of each server (or of the named ones) as server.json documents ({ servers: [...] }) or as an mcpServers config for Claude Desktop, Claude Code or Cursor. Use it to back up the registry, move servers to another Switchboard (server.json keeps every registry field, so registry_import restores them) or configure a client. Secret values (env, headers) are never exported: each appears as "${SECRET_PLACEHOLDER}"; put the real values in the file before importing or using it. Returns the document.`,
    input: exportInput,
    output: z.object({ document: z.record(z.string(), z.unknown()) }),
    annotations: readOnly,
    async run(args, ctx) {
      const document = await exportServers(ctx.app.deps, args);
      return { data: { document }, text: JSON.stringify(document, null, 2) };
    },
  }),
];

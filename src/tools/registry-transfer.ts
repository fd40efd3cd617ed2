import { z } from 'zod';
import { exportInput, exportServers, importInput, importResult, importServers } from '../domain/registry/transfer.js';
import { additive, defineTool, readOnly } from './tool.js';

export const registryTransferTools = [
  defineTool({
    name: 'registry_import',
    title: 'Import servers',
    description:
      'Registers every server in a document: the official MCP registry’s server.json (or its { servers: [...] } list), or a client config with mcpServers (Claude Desktop, Claude Code, Cursor) or servers (VS Code). All or nothing: if any entry is invalid, nothing is imported and the answer lists each problem. onConflict says whether an existing version fails the import or is skipped.',
    input: importInput,
    output: importResult,
    annotations: additive,
    target: () => 'import',
    async run(args, ctx) {
      const r = await importServers(ctx.app.deps, ctx.principal, args);
      const text = `Imported ${r.imported.length}: ${r.imported.map((s) => `${s.name}@${s.version}`).join(', ') || 'none'}${r.skipped.length ? `; skipped ${r.skipped.map((s) => `${s.name}@${s.version}`).join(', ')}` : ''}`;
      return { data: r, text };
    },
  }),
  defineTool({
    name: 'registry_export',
    title: 'Export servers',
    description:
      'Writes the latest version of each server (or of the named ones) as server.json documents ({ servers: [...] }) or as an mcpServers config for Claude Desktop, Claude Code or Cursor. Secret values (env, headers) are never exported: they appear as "<secret>"; supply them again after importing elsewhere.',
    input: exportInput,
    output: z.object({ document: z.record(z.string(), z.unknown()) }),
    annotations: readOnly,
    target: () => 'export',
    async run(args, ctx) {
      const document = await exportServers(ctx.app.deps, args);
      return { data: { document }, text: JSON.stringify(document, null, 2) };
    },
  }),
];

// The tools/list entry of each tool: its JSON Schemas as clients see them. Converting every zod
// schema takes 80–250 ms of a cold start, so `npm run build` runs describeTool over allTools once
// (scripts/build.ts) into dist/described.json, next to the bundle, and the bundle reads that
// instead. It is trusted only when it names the same tools in the same order and is no older than
// the bundle's entry (dist/cli.js); otherwise, and always when running from src (tests, where no
// such file sits next to this module), the descriptions are computed here.
// tests/tools-list.test.ts checks the built file against describeTool.
import { readFileSync, statSync } from 'node:fs';
import type { Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { lightOutputSchema } from './output-schema.js';
import type { Tool } from './tool.js';

/** The file the build writes the descriptions of allTools to, in dist/. */
export const DESCRIBED_FILE = 'described.json';
// Both resolve next to whichever file this code is in: a chunk of the bundle in dist/, or src/tools.
const describedFile = new URL(`./${DESCRIBED_FILE}`, import.meta.url);
const bundleEntry = new URL('./cli.js', import.meta.url);

/** The tools/list entry of a tool: its JSON Schemas as clients see them. */
export function describeTool(tool: Tool): McpTool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: z.toJSONSchema(tool.input, { io: 'input' }) as McpTool['inputSchema'],
    ...(tool.output ? { outputSchema: lightOutputSchema(z.toJSONSchema(tool.output, { io: 'output' })) as McpTool['outputSchema'] } : {}),
    annotations: { title: tool.title, ...tool.annotations },
    ...(tool.taskSupport ? { execution: { taskSupport: tool.taskSupport } } : {}),
  };
}

export function describeTools(tools: Tool[]): McpTool[] {
  const built = readBuilt();
  if (built?.length === tools.length && built.every((t, i) => t.name === tools[i]!.name)) return built;
  return tools.map(describeTool);
}

function readBuilt(): McpTool[] | undefined {
  try {
    if (statSync(describedFile).mtimeMs < statSync(bundleEntry).mtimeMs) return undefined;
    return JSON.parse(readFileSync(describedFile, 'utf8')) as McpTool[];
  } catch {
    return undefined; // not built (running from src) or unreadable: compute instead
  }
}

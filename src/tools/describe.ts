// The tools/list entry of each tool: its JSON Schemas as clients see them. Converting every zod
// schema takes 80–250 ms of a cold start, so `npm run build` runs describeTool over allTools once
// (scripts/describe-tools.mjs) into dist/tools/described.json, and a process started from dist
// reads that instead. It is trusted only when it names the same tools in the same order and is no
// older than the compiled tool list (a later tsc run rewrites dist/tools/index.js); otherwise, and
// always when running from src (tests), the descriptions are computed here.
// tests/tools-list.test.ts checks the built file against describeTool.
import { readFileSync, statSync } from 'node:fs';
import type { Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Tool } from './tool.js';

/** Where the build writes the descriptions of allTools, next to the compiled tool list. */
export const describedFile = new URL('./described.json', import.meta.url);
const toolList = new URL('./index.js', import.meta.url);

/** The tools/list entry of a tool: its JSON Schemas as clients see them. */
export function describeTool(tool: Tool): McpTool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: z.toJSONSchema(tool.input, { io: 'input' }) as McpTool['inputSchema'],
    ...(tool.output ? { outputSchema: z.toJSONSchema(tool.output, { io: 'output' }) as McpTool['outputSchema'] } : {}),
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
    if (statSync(describedFile).mtimeMs < statSync(toolList).mtimeMs) return undefined;
    return JSON.parse(readFileSync(describedFile, 'utf8')) as McpTool[];
  } catch {
    return undefined; // not built (running from src) or unreadable: compute instead
  }
}

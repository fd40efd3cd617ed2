// Step 6: no route matched, so look for a discovered tool whose name, description or server tags
// carry the intent's words. Accepted only above a threshold, and marked as a fallback.
import type { ServerCandidate } from './versions.js';

export interface ToolCandidate {
  serverName: string;
  serverVersion: string;
  name: string;
  description: string | null;
  tags: string[];
  server: ServerCandidate;
}

export const FALLBACK_THRESHOLD = 0.6;

const words = (s: string) =>
  s
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1);

/**
 * Each intent word scores 1 when it is a word of the tool's name, 0.6 in its description and 0.5
 * in its server's tags (the best of the three); the score is the mean over the intent's words.
 */
export function scoreTool(intentWords: string[], tool: ToolCandidate): number {
  if (intentWords.length === 0) return 0;
  const name = new Set(words(tool.name));
  const description = new Set(words(tool.description ?? ''));
  const tags = new Set(tool.tags.flatMap(words));
  const total = intentWords.reduce((sum, w) => sum + (name.has(w) ? 1 : description.has(w) ? 0.6 : tags.has(w) ? 0.5 : 0), 0);
  return total / intentWords.length;
}

export function bestTool(intent: string, tools: ToolCandidate[]): { tool: ToolCandidate; score: number } | undefined {
  const intentWords = [...new Set(words(intent))];
  let best: { tool: ToolCandidate; score: number } | undefined;
  for (const tool of tools) {
    const score = scoreTool(intentWords, tool);
    if (score >= FALLBACK_THRESHOLD && (!best || score > best.score)) best = { tool, score };
  }
  return best;
}

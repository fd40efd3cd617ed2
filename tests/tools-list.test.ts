// tools/list is the product's public API: a committed snapshot makes every schema change
// deliberate (`npx vitest -u` rewrites it), and these rules hold for every tool at once.
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { describeTool } from '../src/tools/describe.js';
import { allTools } from '../src/tools/index.js';
import { describeEachProvider } from './support/harness.js';

// A start from dist lists the descriptions the build wrote (src/tools/describe.ts); they must be
// exactly what describeTool makes of the source. npm test builds first, so a stale file fails here.
describe('dist/described.json', () => {
  it('is describeTool of every tool, in order', () => {
    const file = new URL('../dist/described.json', import.meta.url);
    expect(existsSync(file), 'dist/described.json is missing: run npm run build').toBe(true);
    const built: unknown = JSON.parse(readFileSync(file, 'utf8'));
    expect(built).toEqual(JSON.parse(JSON.stringify(allTools.map(describeTool))));
  });
});

describeEachProvider('tools/list', (env, provider) => {
  let tools: Tool[];
  beforeAll(async () => {
    const client = await env.connect();
    tools = (await client.listTools()).tools;
  });

  it.runIf(provider === 'sqlite')('matches the committed snapshot', async () => {
    await expect(JSON.stringify(tools, null, 2) + '\n').toMatchFileSnapshot('./snapshots/tools-list.json');
  });

  describe('rules over every tool', () => {
    it('names are accepted by every client', () => {
      for (const t of tools) expect(t.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(new Set(tools.map((t) => t.name)).size).toBe(tools.length);
    });

    it('has a title and a description written for a model', () => {
      for (const t of tools) {
        expect(t.title, t.name).toBeTruthy();
        expect(t.description?.length ?? 0, t.name).toBeGreaterThanOrEqual(60);
      }
    });

    it('declares all four annotations', () => {
      for (const t of tools) {
        for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
          expect(typeof t.annotations?.[hint], `${t.name}.${hint}`).toBe('boolean');
        }
        if (t.annotations?.readOnlyHint) expect(t.annotations.destructiveHint, t.name).toBe(false);
      }
    });

    it('has object input and output schemas without a top-level union', () => {
      // invoke returns an upstream tool's result as that tool gave it, so it declares no outputSchema.
      const passThrough = new Set(['invoke']);
      for (const t of tools) {
        expect(t.outputSchema === undefined, t.name).toBe(passThrough.has(t.name));
        for (const schema of [t.inputSchema, t.outputSchema ?? { type: 'object' }]) {
          expect(schema, t.name).toBeDefined();
          expect(schema!.type, t.name).toBe('object');
          for (const union of ['anyOf', 'oneOf', 'allOf']) expect(schema, `${t.name} ${union}`).not.toHaveProperty(union);
        }
      }
    });

    it('paginates list tools with cursor and limit, returning nextCursor', () => {
      for (const t of tools.filter((x) => /_list$/.test(x.name))) {
        expect(Object.keys(t.inputSchema.properties ?? {}), t.name).toEqual(expect.arrayContaining(['cursor', 'limit']));
        expect(Object.keys(t.outputSchema?.properties ?? {}), t.name).toContain('nextCursor');
      }
    });
  });
});

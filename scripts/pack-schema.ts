// schemas/pack.schema.json, the published JSON Schema of a pack manifest, is generated from the
// zod schema: `npm run docs` rewrites it; tests/packs.test.ts fails when it is stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { packManifest } from '../src/domain/packs/schema.js';

export const packSchemaPath = new URL('../schemas/pack.schema.json', import.meta.url);

export function packSchemaText(): string {
  // io 'input': what a manifest file may contain (fields with defaults are optional).
  const schema = z.toJSONSchema(packManifest, { io: 'input' });
  return `${JSON.stringify({ ...schema, title: 'Switchboard pack manifest' }, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(new URL('.', packSchemaPath), { recursive: true });
  writeFileSync(packSchemaPath, packSchemaText());
}

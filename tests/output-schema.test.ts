// Published output schemas are lightened for clients that compile them (src/tools/output-schema.ts);
// a result valid before must be valid after, and the other way round, but for extra properties.
import fc from 'fast-check';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allTools } from '../src/tools/index.js';
import { lightOutputSchema } from '../src/tools/output-schema.js';
import { schemaTools, type JsonSchema } from './support/json-schema-arbitrary.js';

const ajv = new Ajv2020({ strict: false, validateFormats: false });
const openObjects = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(openObjects) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).filter(([k, v]) => !(k === 'additionalProperties' && v === false)).map(([k, v]) => [k, openObjects(v)])) : value;

describe('lightOutputSchema', () => {
  it('writes a nullable value as a type list, and leaves objects open', () => {
    const light = lightOutputSchema(z.toJSONSchema(z.object({ at: z.iso.datetime().nullable().describe('when'), state: z.enum(['a', 'b']).nullable() }), { io: 'output' }));
    expect(light).toMatchObject({ properties: { at: { type: ['string', 'null'], format: 'date-time', description: 'when' } } });
    expect(light).not.toHaveProperty('additionalProperties');
    // enum constrains every type, null included: that union stays as it is.
    expect(light.properties?.state).toHaveProperty('anyOf');
  });

  for (const tool of allTools.filter((t) => t.output)) {
    it(`accepts and rejects the results of ${tool.name} as its full schema does`, () => {
      const full = z.toJSONSchema(tool.output!, { io: 'output' });
      const before = ajv.compile(openObjects(full) as object);
      const after = ajv.compile(lightOutputSchema(full));
      const { valid, broken } = schemaTools(full as JsonSchema);
      const results = valid().chain((v) => fc.oneof(fc.constant(v), broken(v, (site) => site.how !== 'unknown property').map((b) => b.value)));
      // Values nested thousands deep at a recursive place overflow ajv's stack: the same for both.
      const verdict = (validate: (v: unknown) => boolean, value: unknown) => {
        try {
          return validate(value);
        } catch (error) {
          return error instanceof RangeError ? 'overflow' : error;
        }
      };
      fc.assert(fc.property(results, (value) => verdict(before, value) === verdict(after, value)), { numRuns: 60 });
    });
  }
});

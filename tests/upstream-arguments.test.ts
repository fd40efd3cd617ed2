// Upstream argument checks: compiled once per schema text and kept within a bound, while every
// checker built stays correct — including one whose compiled schema has since been evicted.
import { describe, expect, it } from 'vitest';
import { argumentChecker } from '../src/domain/upstream/arguments.js';

const tree = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://example.test/tree',
  type: 'object',
  properties: { node: { $ref: '#/$defs/node' } },
  required: ['node'],
  $defs: { node: { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } }, required: ['name'] } },
};
const noSkip = (reason: string) => expect.unreachable(reason);

describe('upstream argument checks', () => {
  it('checks recursive schemas, also when the same schema (with its $id) is compiled again', () => {
    for (let i = 0; i < 3; i++) {
      const check = argumentChecker('tree', structuredClone(tree), noSkip);
      expect(() => check({ node: { name: 'a', children: [{ name: 'b', children: [] }] } })).not.toThrow();
      expect(() => check({ node: { name: 'a', children: [{ children: [] }] } })).toThrow(/\/node\/children\/0: must have required property 'name'/);
    }
  });

  it('keeps earlier checkers working after more schemas than the cache holds were compiled', () => {
    const first = argumentChecker('n0', { type: 'object', properties: { n0: { type: 'integer' } } }, noSkip);
    for (let i = 1; i <= 1100; i++) argumentChecker(`n${i}`, { type: 'object', properties: { [`n${i}`]: { type: 'integer' } } }, noSkip);
    expect(() => first({ n0: 1 })).not.toThrow();
    expect(() => first({ n0: 'one' })).toThrow(/Invalid arguments for n0:\n- \/n0: must be integer/);
  });
});

import { describe, expect, it } from 'vitest';
import { geminiSchemaToJsonSchema } from '../../../src/protocols/gemini/openapi-schema';

describe('geminiSchemaToJsonSchema', () => {
  it('lower-cases types, turns nullable into a null type and int64 strings into numbers', () => {
    expect(
      geminiSchemaToJsonSchema({
        type: 'OBJECT',
        propertyOrdering: ['a', 'b'],
        properties: {
          a: { type: 'STRING', format: 'enum', enum: ['x', 'y'], nullable: true },
          b: { type: 'ARRAY', items: { type: 'INTEGER' }, minItems: '1', maxItems: '3', example: [1] },
          c: { anyOf: [{ type: 'NUMBER' }], nullable: true },
        },
        required: ['a'],
      }),
    ).toEqual({
      type: 'object',
      properties: {
        a: { type: ['string', 'null'], enum: ['x', 'y'] },
        b: { type: 'array', items: { type: 'integer' }, minItems: 1, maxItems: 3, examples: [[1]] },
        c: { anyOf: [{ type: 'number' }, { type: 'null' }] },
      },
      required: ['a'],
    });
  });
});

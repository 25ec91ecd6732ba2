import { describe, expect, it } from 'vitest';
import { cleanGeminiSchema } from '../../../src/protocols/gemini/clean-schema';

describe('cleanGeminiSchema', () => {
  it('drops keywords Gemini rejects and rewrites the ones it has a form for', () => {
    const cleaned = cleanGeminiSchema({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'x',
      type: 'object',
      additionalProperties: false,
      propertyNames: { pattern: '^a' },
      properties: {
        mode: { const: 'fast' },
        count: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 10, multipleOf: 2, default: 1 },
        tags: { type: 'array', items: { type: 'string', format: 'uri' }, uniqueItems: true, maxItems: 3, examples: [['a']] },
        note: { type: ['string', 'null'], description: 'optional', format: 'date-time' },
        level: { enum: ['low', 'high'] },
      },
      required: ['mode', 'missing'],
    });
    expect(cleaned).toEqual({
      type: 'OBJECT',
      properties: {
        mode: { type: 'STRING', enum: ['fast'] },
        count: { type: 'INTEGER', minimum: 0, maximum: 10 },
        tags: { type: 'ARRAY', maxItems: 3, items: { type: 'STRING' } },
        note: { type: 'STRING', description: 'optional', format: 'date-time', nullable: true },
        level: { type: 'STRING', enum: ['low', 'high'] },
      },
      required: ['mode'],
    });
  });

  it('inlines $ref/$defs and cuts reference cycles', () => {
    const cleaned = cleanGeminiSchema({
      $defs: { city: { type: 'string', description: 'City' }, node: { type: 'object', properties: { child: { $ref: '#/$defs/node' } } } },
      type: 'object',
      properties: { where: { $ref: '#/$defs/city' }, tree: { $ref: '#/$defs/node' }, bad: { $ref: 'https://elsewhere' } },
    });
    expect(cleaned.properties).toMatchObject({ where: { type: 'STRING', description: 'City' }, bad: { type: 'OBJECT' } });
    let depth = 0;
    let node: unknown = (cleaned.properties as Record<string, unknown>).tree;
    while (node !== null && typeof node === 'object' && 'properties' in node) {
      depth += 1;
      node = (node.properties as Record<string, unknown>).child;
    }
    expect(depth).toBeGreaterThan(1);
    expect(depth).toBeLessThan(12);
  });

  it('flattens allOf, turns oneOf into anyOf and nullable unions into nullable', () => {
    expect(
      cleanGeminiSchema({
        allOf: [
          { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
          { properties: { b: { type: 'number' } }, required: ['b'] },
        ],
      }),
    ).toEqual({ type: 'OBJECT', properties: { a: { type: 'STRING' }, b: { type: 'NUMBER' } }, required: ['a', 'b'] });
    expect(cleanGeminiSchema({ oneOf: [{ type: 'string' }, { type: 'number' }] })).toEqual({ anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }] });
    expect(cleanGeminiSchema({ anyOf: [{ type: 'string' }, { type: 'null' }] })).toEqual({ type: 'STRING', nullable: true });
    expect(cleanGeminiSchema({ type: ['string', 'integer'] })).toEqual({ anyOf: [{ type: 'STRING' }, { type: 'INTEGER' }] });
  });
});

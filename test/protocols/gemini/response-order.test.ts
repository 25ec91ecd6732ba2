import { describe, expect, it } from 'vitest';
import type { IrRequest } from '../../../src/ir/request';
import { encodeGeminiRequest } from '../../../src/protocols/gemini/encode-request';

/** Gemini pairs parallel function responses with their calls by position. */
const request = (resultOrder: string[], split = false): IrRequest => {
  const results = resultOrder.map((id) => ({ type: 'tool_result' as const, toolCallId: id, content: [{ type: 'text' as const, text: `out ${id}` }] }));
  return {
    model: 'g',
    system: [],
    stream: false,
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'read three files' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_call', id: 'gem_a', name: 'read', arguments: '{"f":"a"}' },
          { type: 'tool_call', id: 'gem_b', name: 'read', arguments: '{"f":"b"}' },
          { type: 'tool_call', id: 'gem_c', name: 'stat', arguments: '{"f":"c"}' },
        ],
      },
      ...(split
        ? results.map((result) => ({ role: 'user' as const, content: [result] }))
        : [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'done?' }, ...results] }]),
    ],
  };
};

const responsesOf = (ir: IrRequest) => {
  const body = encodeGeminiRequest(ir, { model: 'g', stream: false }).body as { contents: Array<{ role: string; parts: Array<Record<string, unknown>> }> };
  return body.contents.at(-1)?.parts ?? [];
};

describe('gemini: parallel function responses', () => {
  it('go back in the order of the calls, whatever order the client sent them in', () => {
    const parts = responsesOf(request(['gem_c', 'gem_a', 'gem_b']));
    expect(parts.map((part) => (part.functionResponse as { id?: string } | undefined)?.id ?? part.text)).toEqual(['a', 'b', 'c', 'done?']);
  });

  it('also when each result came in its own message (merged into one turn)', () => {
    const parts = responsesOf(request(['gem_b', 'gem_c', 'gem_a'], true));
    expect(parts.map((part) => (part.functionResponse as { id?: string }).id)).toEqual(['a', 'b', 'c']);
  });
});

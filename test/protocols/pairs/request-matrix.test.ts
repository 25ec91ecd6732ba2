import { describe, expect, it } from 'vitest';
import { WIRE_FORMATS } from '../../../src/ir/format';
import type { IrMessage } from '../../../src/ir/request';
import { codecFor } from '../../../src/protocols/registry';
import { RICH_REQUESTS } from './rich-requests';

const pairs = WIRE_FORMATS.flatMap((client) => WIRE_FORMATS.filter((upstream) => upstream !== client).map((upstream) => ({ client, upstream })));

/** The conversation reduced to what every format can say: roles, texts, images, calls and results. */
const meaning = (messages: IrMessage[]) =>
  messages.map((message) => ({
    role: message.role,
    content: message.content.map((block) => {
      switch (block.type) {
        case 'text':
          return { text: block.text };
        case 'image':
          return { image: block.source.kind === 'base64' ? block.source.data.length : block.source.url };
        case 'tool_call':
          return { call: block.name, args: JSON.parse(block.arguments === '' ? '{}' : block.arguments) as unknown };
        case 'tool_result':
          return { result: block.content.map((part) => (part.type === 'text' ? part.text : '[image]')).join('') };
        default:
          return { other: block.type };
      }
    }),
  }));

describe.each(pairs)('request $client → $upstream', ({ client, upstream }) => {
  const { body, route } = RICH_REQUESTS[client];
  const ir = codecFor(client).decodeRequest(structuredClone(body), route);
  const encoded = codecFor(upstream).encodeRequest(ir, { model: 'upstream-model', stream: true });

  it('matches the golden upstream request', async () => {
    await expect(`${JSON.stringify({ path: encoded.path, body: encoded.body }, null, 2)}\n`).toMatchFileSnapshot(
      `__goldens__/request.${client}--${upstream}.json`,
    );
  });

  it('keeps the meaning when the upstream request is read back', () => {
    const upstreamRoute = upstream === 'gemini' ? { model: 'upstream-model', stream: true } : {};
    const readBack = codecFor(upstream).decodeRequest(encoded.body, upstreamRoute);
    expect(meaning(readBack.messages)).toEqual(meaning(ir.messages));
    expect(readBack.system.map((block) => block.text).join('')).toBe('Be terse.');
    expect(readBack.tools?.map((tool) => tool.name)).toEqual(['get_weather']);
    expect(readBack.maxOutputTokens).toBe(256);
    expect(readBack.temperature).toBe(0.2);
  });
});

describe.each(WIRE_FORMATS)('round trip %s → IR → %s', (format) => {
  it('preserves everything the format said', () => {
    const { body, route } = RICH_REQUESTS[format];
    const first = codecFor(format).decodeRequest(structuredClone(body), route);
    const encoded = codecFor(format).encodeRequest(first, { model: 'client-model', stream: true });
    const second = codecFor(format).decodeRequest(encoded.body, route);
    expect(second).toEqual(first);
  });
});

describe('what a target cannot carry', () => {
  it('refuses stop sequences towards a Responses upstream with a 400, and carries them elsewhere', () => {
    const ir = codecFor('openai-chat').decodeRequest({ ...RICH_REQUESTS['openai-chat'].body, stop: ['END'] }, {});
    expect(() => codecFor('openai-responses').encodeRequest(ir, { model: 'm', stream: false })).toThrow(
      expect.objectContaining({ kind: 'unsupported_feature', status: 400 }),
    );
    expect(codecFor('anthropic').encodeRequest(ir, { model: 'm', stream: false }).body).toMatchObject({ stop_sequences: ['END'] });
    expect(codecFor('gemini').encodeRequest(ir, { model: 'm', stream: false }).body).toMatchObject({ generationConfig: { stopSequences: ['END'] } });
  });
});

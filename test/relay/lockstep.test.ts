import { describe, expect, it } from 'vitest';
import { codecFor } from '../../src/protocols/registry';
import { lockstep } from '../../src/relay/lockstep';
import { decodeSse } from '../../src/sse/decode';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('lockstep', () => {
  it('answers each input with exactly its own outputs, and end() with the flush outputs', async () => {
    const step = lockstep(
      new TransformStream<number, number>({
        transform(n, controller) {
          for (let i = 0; i < n; i++) controller.enqueue(n);
        },
        flush(controller) {
          controller.enqueue(-1);
        },
      }),
    );
    expect(await step.push(0)).toEqual([]);
    expect(await step.push(3)).toEqual([3, 3, 3]);
    expect(await step.push(1)).toEqual([1]);
    expect(await step.push(40)).toEqual(Array.from({ length: 40 }, () => 40));
    expect(await step.push(2)).toEqual([2, 2]);
    expect(await step.end()).toEqual([-1]);
  });

  it('drives the SSE decoder one byte at a time', async () => {
    const step = lockstep(decodeSse());
    const text = 'data: {"a":"é"}\n\n';
    const out = [];
    for (const byte of bytes(text)) out.push(...(await step.push(new Uint8Array([byte]))));
    expect(out).toEqual([{ data: '{"a":"é"}' }]);
    expect(await step.end()).toEqual([]);
  });

  it('drives a codec stream decoder (openai-chat) and reports its EOF truncation from end()', async () => {
    const step = lockstep(codecFor('openai-chat').decodeStream());
    const chunk = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }] };
    const first = await step.push({ data: JSON.stringify(chunk) });
    expect(first.map((event) => event.type)).toContain('block_delta');
    const tail = await step.end();
    expect(tail.map((event) => event.type)).toContain('error');
  });
});

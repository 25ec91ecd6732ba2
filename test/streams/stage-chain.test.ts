import { describe, expect, it } from 'vitest';
import { codecFor } from '../../src/protocols/registry';
import { decodeSseStage } from '../../src/streams/sse-decode';
import { encodeSseStage } from '../../src/streams/sse-encode';
import { StageChain } from '../../src/streams/stage-chain';
import { decodeStreamOf, encodeStreamOf } from '../setup/codec-streams';

const collect = async <T>(stream: ReadableStream<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
};

const source = <T>(chunks: T[]) =>
  new ReadableStream<T>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });

describe('StageChain', () => {
  it('runs every stage in order, flushing each before the next', async () => {
    const double: Transformer<number, number> = { transform: (n, c) => (c.enqueue(n), c.enqueue(n)) };
    let total = 0;
    const sum: Transformer<number, string> = {
      transform: (n, c) => {
        total += n;
        c.enqueue(`+${n}`);
      },
      flush: (c) => c.enqueue(`=${total}`),
    };
    const tail: Transformer<number, number> = { flush: (c) => c.enqueue(100) };
    const chain = StageChain.from(double).then(tail).then(sum).toTransformStream();
    expect(await collect(source([1, 2]).pipeThrough(chain))).toEqual(['+1', '+1', '+2', '+2', '+100', '=106']);
  });

  it('emits each output as its input arrives (nothing is held back)', async () => {
    const chain = StageChain.from(decodeSseStage()).then(encodeSseStage()).toTransformStream();
    const writer = chain.writable.getWriter();
    const reader = chain.readable.getReader();
    void writer.write(new TextEncoder().encode('data: one\n\n'));
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: one\n\n');
    void writer.close();
  });

  it('translates a stream exactly like the equivalent pipeThrough chain', async () => {
    const upstream = [
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}\n\n',
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}\n\n',
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    ].map((text) => new TextEncoder().encode(text));
    const context = {
      requestId: 'r',
      created: 1_700_000_000,
      request: { model: 'm', system: [], messages: [], stream: true, streamUsage: true },
    };
    const client = codecFor('openai-chat');
    const upstreamCodec = codecFor('anthropic');
    const fused = StageChain.from(decodeSseStage())
      .then(upstreamCodec.decodeStreamStage())
      .then(client.encodeStreamStage(context))
      .then(encodeSseStage())
      .toTransformStream();
    const decoder = new TextDecoder();
    const viaChain = (await collect(source(upstream).pipeThrough(fused))).map((chunk) => decoder.decode(chunk)).join('');
    const { decodeSse } = await import('../../src/streams/sse-decode');
    const { encodeSse } = await import('../../src/streams/sse-encode');
    const viaPipes = (
      await collect(source(upstream).pipeThrough(decodeSse()).pipeThrough(decodeStreamOf(upstreamCodec)).pipeThrough(encodeStreamOf(client, context)).pipeThrough(encodeSse()))
    )
      .map((chunk) => decoder.decode(chunk))
      .join('');
    expect(viaChain).toBe(viaPipes);
    expect(viaChain).toContain('"content":"Hi"');
    expect(viaChain.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});

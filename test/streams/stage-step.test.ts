import { describe, expect, it } from 'vitest';
import { codecFor } from '../../src/protocols/registry';
import { decodeSseStage } from '../../src/streams/sse-decode';
import { stageStep } from '../../src/streams/stage-step';

describe('stageStep', () => {
  it('answers each input with exactly the outputs it produced, and end() with the flush', () => {
    let seen = 0;
    const step = stageStep<number, string>({
      transform: (n, controller) => {
        seen += n;
        for (let i = 0; i < n; i++) controller.enqueue(`${n}.${i}`);
      },
      flush: (controller) => controller.enqueue(`sum ${seen}`),
    });
    expect(step.push(2)).toEqual(['2.0', '2.1']);
    expect(step.push(0)).toEqual([]);
    expect(step.push(1)).toEqual(['1.0']);
    expect(step.end()).toEqual(['sum 3']);
  });

  it('attributes SSE events and IR events to the chunk that carried them', () => {
    const sse = stageStep(decodeSseStage());
    const decoder = stageStep(codecFor('openai-chat').decodeStreamStage());
    const encoder = new TextEncoder();
    const first = sse.push(encoder.encode('data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}\n\ndata: {"id":"c","object":"chat.co'));
    expect(first).toHaveLength(1);
    const ir = first.flatMap((event) => decoder.push(event));
    expect(ir.map((event) => event.type)).toEqual(['start', 'block_start', 'block_delta']);
    expect(sse.push(encoder.encode('mpletion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'))).toHaveLength(1);
  });

  it('rethrows a stage error and produces nothing after abort', () => {
    const failing = stageStep<number, number>({ transform: (_, controller) => controller.error(new Error('bad')) });
    expect(() => failing.push(1)).toThrow('bad');
    const aborted = stageStep<number, number>({ transform: (n, controller) => controller.enqueue(n) });
    aborted.abort('gone');
    expect(aborted.push(1)).toEqual([]);
  });
});

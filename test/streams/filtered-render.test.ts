import { describe, expect, it } from 'vitest';
import { openaiChatPassthroughFilterStage } from '../../src/protocols/openai-chat/passthrough-filter';
import { decodeSseStage } from '../../src/streams/sse-decode';
import { stageStep } from '../../src/streams/stage-step';
import { sseFraming } from '../../src/streams/stream-framing';
import { filteredRenderer } from '../../src/streams/stream-render';

/**
 * A Chat passthrough whose client did not ask for usage runs through the codec's filter (the usage
 * chunk the relay asked for is dropped). Every other chunk is the upstream's own bytes: re-encoding
 * each event cost a string build and a TextEncoder call per event on the relay's busiest path.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const render = (chunks: string[]) => {
  const filter = openaiChatPassthroughFilterStage({ model: 'm', messages: [], stream: true });
  if (filter === undefined) throw new Error('the filter is on when the client did not ask for usage');
  const renderer = filteredRenderer(filter, () => [], sseFraming());
  const sse = stageStep(decodeSseStage());
  return chunks.map((chunk) => {
    const bytes = encoder.encode(chunk);
    const out = renderer.chunk({ bytes, sse: sse.push(bytes), ir: [], failedAt: -1 });
    return { bytes, out };
  });
};

const content = (text: string) => `data:{"choices":[{"index":0,"delta":{"content":"${text}"},"finish_reason":null}]}\n\n`;
const usageOnly = 'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}\n\n';

describe('filteredRenderer', () => {
  it('sends a chunk of whole events the filter keeps as the upstream wrote it, comments included', () => {
    const [first] = render([`${content('a')}: keepalive\n\n${content('b')}`]);
    expect(first!.out).toEqual([first!.bytes]);
    expect(first!.out[0]).toBe(first!.bytes);
  });

  it('frames anew a chunk whose events the filter changed: the usage chunk is gone', () => {
    const [, second] = render([content('a'), `${content('b')}${usageOnly}data: [DONE]\n\n`]);
    const text = second!.out.map((bytes) => decoder.decode(bytes)).join('');
    expect(text).toBe('data: {"choices":[{"index":0,"delta":{"content":"b"},"finish_reason":null}]}\n\ndata: [DONE]\n\n');
  });

  it('frames anew chunks that start or end inside an event, and sends raw bytes again once the upstream is back at a boundary', () => {
    const whole = content('split');
    const [head, tail, next] = render([whole.slice(0, 20), whole.slice(20), content('c')]);
    expect(head!.out).toEqual([]);
    expect(decoder.decode(tail!.out[0])).toBe(whole.replace('data:', 'data: '));
    expect(next!.out[0]).toBe(next!.bytes);
  });
});

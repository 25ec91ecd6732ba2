/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import type { WireFormat } from '../../../src/ir/format';
import { WIRE_FORMATS } from '../../../src/ir/format';
import type { IrRequest } from '../../../src/ir/request';
import type { IrStreamEvent } from '../../../src/ir/stream-event';
import { codecFor } from '../../../src/protocols/registry';
import { formatSseEvent } from '../../../src/streams/sse-encode';
import type { SseEvent } from '../../../src/streams/sse-event';
import anthropicReasoning from '../../fixtures/anthropic/anthropic-claude-sonnet-5-reasoning-summarized.chunks.txt?raw';
import anthropicToolNoArgs from '../../fixtures/anthropic/anthropic-tool-no-args.chunks.txt?raw';
import geminiText from '../../fixtures/gemini/google-text.chunks.txt?raw';
import geminiToolCall from '../../fixtures/gemini/google-tool-call.chunks.txt?raw';
import openaiChatTool from '../../fixtures/openai-chat/issue-15789-step-1.chunks.txt?raw';
import responsesToolCall from '../../fixtures/openai-responses/issue-19493-gpt-5.1-tool-call.chunks.txt?raw';
import { pipe } from '../../setup/pipe';
import { decodeStreamOf, encodeStreamOf } from '../../setup/codec-streams';

/** Recorded upstream streams (one data payload per line), framed the way each upstream frames them. */
const recordings: Array<{ upstream: WireFormat; name: string; text: string }> = [
  { upstream: 'anthropic', name: 'anthropic-reasoning', text: anthropicReasoning },
  { upstream: 'anthropic', name: 'anthropic-tool-no-args', text: anthropicToolNoArgs },
  { upstream: 'openai-chat', name: 'openai-chat-tool', text: openaiChatTool },
  { upstream: 'openai-responses', name: 'responses-tool-call', text: responsesToolCall },
  { upstream: 'gemini', name: 'gemini-text', text: geminiText },
  { upstream: 'gemini', name: 'gemini-tool-call', text: geminiToolCall },
];

const framed = (upstream: WireFormat, text: string): SseEvent[] => {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const events = lines.map((line): SseEvent => {
    if (upstream === 'anthropic' || upstream === 'openai-responses') return { event: (JSON.parse(line) as { type: string }).type, data: line };
    return { data: line };
  });
  return upstream === 'openai-chat' ? [...events, { data: '[DONE]' }] : events;
};


const clientRequest = (client: WireFormat): IrRequest => ({
  model: 'client-model',
  system: [],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  stream: true,
  streamUsage: client === 'openai-chat',
  reasoning: { enabled: true, visible: true },
});

/** Ids the encoders mint at random become placeholders, so goldens are stable. */
const normalize = (sse: string): string =>
  sse.replace(/\b(msg|rs|fc|call|resp)_[A-Za-z0-9]{20,}\b/g, '$1_<minted>').replace(/"completed_at":\d+/g, '"completed_at":"<clock>"');

const assertInvariants = (events: IrStreamEvent[]): void => {
  expect(events[0]?.type).toBe('start');
  let open: number | undefined;
  let next = 0;
  for (const event of events.slice(1)) {
    if (event.type === 'block_start') {
      expect(open).toBeUndefined();
      expect(event.index).toBe(next);
      open = event.index;
      next += 1;
    } else if (event.type === 'block_delta') expect(event.index).toBe(open);
    else if (event.type === 'block_stop') {
      expect(event.index).toBe(open);
      open = undefined;
    }
  }
  expect(open).toBeUndefined();
  expect(events.at(-1)?.type).toBe('finish');
};

const terminators: Record<WireFormat, RegExp> = {
  'openai-chat': /data: \[DONE\]\n\n$/,
  'openai-responses': /event: response\.(completed|incomplete)\n/,
  anthropic: /event: message_stop\ndata: \{"type":"message_stop"\}\n\n$/,
  gemini: /"finishReason":"[A-Z_]+"/,
};

describe.each(recordings)('recorded $name stream', ({ upstream, name, text }) => {
  const clients = WIRE_FORMATS.filter((client) => client !== upstream);

  it.each(clients)(`→ %s client matches its golden and ends properly`, async (client) => {
    const ir = await pipe(framed(upstream, text), decodeStreamOf(codecFor(upstream)));
    assertInvariants(ir);
    const context = { requestId: 'req_golden', request: clientRequest(client), created: 1_700_000_000 };
    const out = await pipe(ir, encodeStreamOf(codecFor(client), context));
    const sse = normalize(out.map(formatSseEvent).join(''));
    expect(sse).toMatch(terminators[client]);
    await expect(sse).toMatchFileSnapshot(`__goldens__/stream.${name}--${client}.sse`);
  });
});

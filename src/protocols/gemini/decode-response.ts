import { RelayError } from '../../errors';
import type { IrAssistantBlock } from '../../ir/content';
import type { IrResponse } from '../../ir/response';
import type { IrStreamEvent } from '../../ir/stream-event';
import { randomId } from '../shared/ids';
import { relayErrorFromGemini } from './errors';
import { mintGeminiResponseCallId } from './ids';
import { GeminiPartReader } from './part-reader';
import { geminiResponse } from './schema';
import { mapGeminiFinishReason } from './stop-reason';
import { decodeGeminiUsage } from './usage';

/** IR block events (from GeminiPartReader) folded into content blocks. */
const foldBlocks = (events: readonly IrStreamEvent[]): IrAssistantBlock[] => {
  const blocks: IrAssistantBlock[] = [];
  for (const event of events) {
    if (event.type === 'block_start') {
      const start = event.block;
      if (start.type === 'text') blocks[event.index] = { type: 'text', text: '' };
      else if (start.type === 'thinking') blocks[event.index] = { type: 'thinking', text: '' };
      else if (start.type === 'tool_call') blocks[event.index] = { type: 'tool_call', id: start.id, name: start.name, arguments: '' };
      else blocks[event.index] = { type: 'redacted_thinking', data: start.data };
      continue;
    }
    if (event.type !== 'block_delta') continue;
    const block = blocks[event.index];
    const delta = event.delta;
    if (block === undefined) continue;
    if ((delta.type === 'text' && block.type === 'text') || (delta.type === 'thinking' && block.type === 'thinking')) {
      block.text += delta.text;
    } else if (delta.type === 'arguments' && block.type === 'tool_call') {
      block.arguments += delta.json;
    } else if (delta.type === 'signature' && (block.type === 'thinking' || block.type === 'tool_call')) {
      block.signature = delta.signature;
    }
  }
  return blocks;
};

/**
 * `:generateContent` body → IR response. Parts are read exactly as the stream decoder reads them
 * (thought signatures become thinking-block signatures), so a client sees the same blocks either way.
 */
export const decodeGeminiResponse = (body: unknown): IrResponse => {
  const result = geminiResponse.safeParse(body);
  if (!result.success) throw new RelayError('api_error', 502, 'gemini: unreadable response body');
  const response = result.data;
  if (response.error !== null && response.error !== undefined) {
    throw relayErrorFromGemini(response.error, response.error.code ?? 500);
  }
  const id = response.responseId ?? randomId();
  const events: IrStreamEvent[] = [];
  const reader = new GeminiPartReader((event) => events.push(event), (ordinal) => mintGeminiResponseCallId(id, ordinal));
  const candidate = response.candidates?.[0];
  reader.read(candidate?.content?.parts ?? []);
  reader.close();
  const blocked = candidate === undefined && Boolean(response.promptFeedback?.blockReason);
  return {
    id,
    model: response.modelVersion ?? '',
    content: foldBlocks(events),
    stopReason: blocked ? 'content_filter' : mapGeminiFinishReason(candidate?.finishReason, reader.hadToolCalls),
    usage: decodeGeminiUsage(response.usageMetadata),
  };
};

import { RelayError } from '../../errors';
import type { IrAssistantBlock } from '../../ir/content';
import type { IrResponse } from '../../ir/response';
import { unwrapSignature } from '../signature';
import { stringifyToolArguments } from '../shared/tool-arguments';
import {
  anthropicMessageSchema,
  anthropicResponseRedactedSchema,
  anthropicResponseTextSchema,
  anthropicResponseThinkingSchema,
  anthropicResponseToolUseSchema,
  anthropicTokenCountSchema,
} from './response-schema';
import { mapAnthropicStopReason } from './stop-reason';
import { decodeAnthropicUsage } from './usage';

/**
 * Upstream `Message` JSON → IR response. Server-tool blocks (`server_tool_use`,
 * `web_search_tool_result`, …) only appear when the request declared server tools, which the relay
 * never sends when translating, so any such block is skipped; citations on text are not carried.
 * @see https://docs.anthropic.com/en/api/messages
 */
const malformed = (what: string): RelayError => new RelayError('api_error', 502, `anthropic: malformed response (${what})`);

const decodeBlock = (block: { type: string }): IrAssistantBlock | undefined => {
  switch (block.type) {
    case 'text': {
      const parsed = anthropicResponseTextSchema.safeParse(block);
      if (!parsed.success) throw malformed('text block');
      return { type: 'text', text: parsed.data.text };
    }
    case 'thinking': {
      const parsed = anthropicResponseThinkingSchema.safeParse(block);
      if (!parsed.success) throw malformed('thinking block');
      const signature = unwrapSignature(parsed.data.signature, 'anthropic');
      const text = parsed.data.thinking ?? '';
      return signature === undefined ? { type: 'thinking', text } : { type: 'thinking', text, signature };
    }
    case 'redacted_thinking': {
      const parsed = anthropicResponseRedactedSchema.safeParse(block);
      if (!parsed.success) throw malformed('redacted_thinking block');
      return { type: 'redacted_thinking', data: parsed.data.data };
    }
    case 'tool_use': {
      const parsed = anthropicResponseToolUseSchema.safeParse(block);
      if (!parsed.success) throw malformed('tool_use block');
      return { type: 'tool_call', id: parsed.data.id, name: parsed.data.name, arguments: stringifyToolArguments(parsed.data.input) };
    }
    default:
      return undefined;
  }
};

export const decodeAnthropicResponse = (body: unknown): IrResponse => {
  const parsed = anthropicMessageSchema.safeParse(body);
  if (!parsed.success) throw malformed('not a Message');
  const message = parsed.data;
  const content = message.content.map(decodeBlock).filter((block): block is IrAssistantBlock => block !== undefined);
  const sawToolCall = content.some((block) => block.type === 'tool_call');
  return {
    id: message.id,
    model: message.model ?? '',
    content,
    stopReason: mapAnthropicStopReason(message.stop_reason, sawToolCall),
    stopSequence: message.stop_sequence ?? null,
    usage: decodeAnthropicUsage(message.usage),
  };
};

export const decodeAnthropicCountTokens = (body: unknown): number => {
  const parsed = anthropicTokenCountSchema.safeParse(body);
  if (!parsed.success) throw malformed('not a token count');
  return parsed.data.input_tokens;
};

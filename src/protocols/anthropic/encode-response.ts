import type { IrAssistantBlock } from '../../ir/content';
import type { IrResponse } from '../../ir/response';
import type { ClientContext } from '../codec';
import { wrapSignature } from '../signature';
import { withPrefix } from '../shared/ids';
import { parseToolArguments } from '../shared/tool-arguments';
import { toAnthropicStopReason, withToolCallOverride } from './stop-reason';
import type { AnthropicStopReason } from './stop-reason';
import { encodeAnthropicUsage } from './usage';
import type { AnthropicUsage } from './usage';

/**
 * IR response → client `Message` JSON. Foreign thinking signatures ride in `signature` as an
 * envelope (protocols/signature.ts) so the next request can hand them back to their upstream; tool
 * ids stay verbatim (the client echoes them back; only the Anthropic API enforces the id pattern,
 * and the request encoder sanitizes there). Empty text blocks are dropped.
 * @see https://docs.anthropic.com/en/api/messages
 */
type AnthropicContentOut =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicMessageOut {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicContentOut[];
  stop_reason: AnthropicStopReason;
  stop_sequence: string | null;
  stop_details: null;
  usage: AnthropicUsage;
}

export const anthropicMessageId = (id: string): string => withPrefix('msg_', id);

const encodeBlock = (block: IrAssistantBlock): AnthropicContentOut | undefined => {
  switch (block.type) {
    case 'text':
      return block.text === '' ? undefined : { type: 'text', text: block.text };
    case 'thinking':
      return { type: 'thinking', thinking: block.text, signature: wrapSignature(block.signature, 'anthropic') };
    case 'redacted_thinking':
      return { type: 'redacted_thinking', data: block.data };
    case 'tool_call':
      return { type: 'tool_use', id: block.id, name: block.name, input: parseToolArguments(block.arguments) };
  }
};

export const encodeAnthropicResponse = (response: IrResponse, context: ClientContext): AnthropicMessageOut => {
  const content = response.content.map(encodeBlock).filter((block): block is AnthropicContentOut => block !== undefined);
  const sawToolCall = content.some((block) => block.type === 'tool_use');
  const reason = withToolCallOverride(response.stopReason, sawToolCall);
  return {
    id: anthropicMessageId(response.id),
    type: 'message',
    role: 'assistant',
    model: context.request.model,
    content,
    stop_reason: toAnthropicStopReason(reason),
    stop_sequence: reason === 'stop_sequence' ? (response.stopSequence ?? null) : null,
    stop_details: null,
    usage: encodeAnthropicUsage(response.usage),
  };
};

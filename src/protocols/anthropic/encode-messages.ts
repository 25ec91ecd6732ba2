import type { IrTextBlock } from '../../ir/content';
import type { IrRequest } from '../../ir/request';
import { encodeAnthropicAssistantBlock, encodeAnthropicText, encodeAnthropicUserBlock } from './encode-content';
import type { AnthropicBlockOut, AnthropicTextOut } from './encode-content';

/**
 * IR conversation → Anthropic `system` + `messages`:
 * - every IR system message joins the top-level `system`, after the leading prompt: older models
 *   reject `role:"system"` inside `messages`, and the relay cannot know the model's generation.
 *   As a string the parts are joined with "\n\n"; with cache hints the blocks stay separate.
 * - adjacent same-role turns are merged (a system message between two user turns disappears);
 * - in a user turn all tool_result blocks come first (the API requires results before text);
 * - empty turns are dropped; a single uncached text block is sent as a plain string.
 */
const SYSTEM_SEPARATOR = '\n\n';

export interface AnthropicMessageParamOut {
  role: 'user' | 'assistant';
  content: string | AnthropicBlockOut[];
}

const encodeSystem = (blocks: IrTextBlock[]): string | AnthropicTextOut[] | undefined => {
  const parts = blocks.map(encodeAnthropicText).filter((part): part is AnthropicTextOut => part !== undefined);
  if (parts.length === 0) return undefined;
  if (parts.some((part) => part.cache_control !== undefined)) return parts;
  return parts.map((part) => part.text).join(SYSTEM_SEPARATOR);
};

const compact = (content: AnthropicBlockOut[]): string | AnthropicBlockOut[] => {
  const only = content.length === 1 ? content[0] : undefined;
  return only !== undefined && only.type === 'text' && only.cache_control === undefined ? only.text : content;
};

const resultsFirst = (blocks: AnthropicBlockOut[]): AnthropicBlockOut[] => [
  ...blocks.filter((block) => block.type === 'tool_result'),
  ...blocks.filter((block) => block.type !== 'tool_result'),
];

/** One merged turn as blocks, before compaction into a string. */
export interface AnthropicTurn {
  role: 'user' | 'assistant';
  blocks: AnthropicBlockOut[];
}

export interface AnthropicConversation {
  system?: string | AnthropicTextOut[];
  messages: AnthropicMessageParamOut[];
  /** Block lists per turn, before compaction into strings (the thinking planner inspects them). */
  turns: AnthropicTurn[];
}

export const encodeAnthropicConversation = (request: IrRequest): AnthropicConversation => {
  const systemBlocks: IrTextBlock[] = [...request.system];
  const turns: AnthropicTurn[] = [];
  for (const message of request.messages) {
    if (message.role === 'system') {
      systemBlocks.push(...message.content);
      continue;
    }
    const blocks: AnthropicBlockOut[] = [];
    if (message.role === 'user') {
      for (const block of message.content) {
        const out = encodeAnthropicUserBlock(block);
        if (out !== undefined) blocks.push(out);
      }
    } else {
      for (const block of message.content) {
        const out = encodeAnthropicAssistantBlock(block);
        if (out !== undefined) blocks.push(out);
      }
    }
    if (blocks.length === 0) continue;
    const previous = turns.at(-1);
    if (previous !== undefined && previous.role === message.role) previous.blocks.push(...blocks);
    else turns.push({ role: message.role, blocks });
  }
  for (const turn of turns) if (turn.role === 'user') turn.blocks = resultsFirst(turn.blocks);

  const conversation: AnthropicConversation = {
    messages: turns.map((turn) => ({ role: turn.role, content: compact(turn.blocks) })),
    turns,
  };
  const system = encodeSystem(systemBlocks);
  if (system !== undefined) conversation.system = system;
  return conversation;
};

/**
 * True when the request continues a tool loop whose last assistant turn does not open with a
 * thinking block. With thinking on, the API rejects such a request ("Expected `thinking` or
 * `redacted_thinking`, but found `tool_use`"); its own advice is to send the turn
 * with thinking off, which is what the caller does.
 */
export const continuesToolLoopWithoutThinking = (turns: AnthropicTurn[]): boolean => {
  const last = turns.at(-1);
  const assistant = turns.at(-2);
  if (last === undefined || assistant === undefined || last.role !== 'user' || assistant.role !== 'assistant') return false;
  if (!last.blocks.some((block) => block.type === 'tool_result')) return false;
  if (!assistant.blocks.some((block) => block.type === 'tool_use')) return false;
  const first = assistant.blocks[0];
  return first === undefined || (first.type !== 'thinking' && first.type !== 'redacted_thinking');
};

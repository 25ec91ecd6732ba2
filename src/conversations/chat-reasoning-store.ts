import type { Env } from '../env';
import type { IrAssistantBlock, IrToolCallBlock } from '../ir/content';
import type { IrRequest } from '../ir/request';
import type { IrStreamEvent } from '../ir/stream-event';
import { isRecord, type JsonRecord } from '../protocols/shared/json-guards';

/**
 * Chat Completions has no field for an upstream's reasoning state (Anthropic thinking signatures and
 * redacted thinking, Gemini thought signatures, Responses encrypted reasoning). When the relay answers
 * a Chat client from such an upstream with tool calls, it keeps that assistant turn as it was (IR) in
 * KV under its first tool call id, for a day. Chat clients send the turn back with the same tool call
 * ids, and the kept turn takes its place: Claude keeps thinking through the tool loop (without it the
 * relay must turn thinking off: with thinking on, Anthropic rejects a tool-loop turn that does not
 * open with a thinking block) and Gemini gets its real thoughtSignature instead of the
 * placeholder. Only the current tool loop is looked up (the turns after the last user message).
 */
const TTL_SECONDS = 24 * 60 * 60;
/** Tool steps of the current loop looked up at most (the latest ones; all reads run in parallel). */
const MAX_LOOKUPS = 8;

const stashKey = (accountId: string, toolCallId: string) => `chat-reasoning:${accountId}:${toolCallId}`;

/** The first tool call id of each assistant message after the last user message, latest last. */
const currentLoopCallIds = (body: JsonRecord): string[] => {
  const messages = Array.isArray(body.messages) ? body.messages.filter(isRecord) : [];
  let start = 0;
  messages.forEach((message, index) => {
    if (message.role === 'user') start = index + 1;
  });
  const ids: string[] = [];
  for (const message of messages.slice(start)) {
    const calls = message.role === 'assistant' && Array.isArray(message.tool_calls) ? message.tool_calls : [];
    const first: unknown = calls[0];
    if (isRecord(first) && typeof first.id === 'string') ids.push(first.id);
  }
  return ids.slice(-MAX_LOOKUPS);
};

const toolCallIds = (content: readonly IrAssistantBlock[]): string[] =>
  content.filter((block): block is IrToolCallBlock => block.type === 'tool_call').map((block) => block.id);

/** Whether a turn carries state the Chat format would lose. */
const carriesReasoningState = (content: readonly IrAssistantBlock[]): boolean =>
  toolCallIds(content).length > 0 &&
  content.some(
    (block) =>
      block.type === 'redacted_thinking' ||
      (block.type === 'thinking' && block.signature !== undefined) ||
      (block.type === 'tool_call' && block.signature !== undefined),
  );

/** Rebuilds the assistant content of a stream from its IR events. */
export const assistantContentCollector = () => {
  const blocks: IrAssistantBlock[] = [];
  const byIndex = new Map<number, IrAssistantBlock>();
  return {
    push: (event: IrStreamEvent): void => {
      if (event.type === 'block_start') {
        const start = event.block;
        const block: IrAssistantBlock =
          start.type === 'tool_call'
            ? { type: 'tool_call', id: start.id, name: start.name, arguments: '' }
            : start.type === 'redacted_thinking'
              ? { type: 'redacted_thinking', data: start.data }
              : start.type === 'thinking'
                ? { type: 'thinking', text: '' }
                : { type: 'text', text: '' };
        blocks.push(block);
        byIndex.set(event.index, block);
        return;
      }
      if (event.type !== 'block_delta') return;
      const block = byIndex.get(event.index);
      const delta = event.delta;
      if (block === undefined) return;
      if (delta.type === 'signature' && (block.type === 'thinking' || block.type === 'tool_call')) block.signature = delta.signature;
      else if (delta.type === 'arguments' && block.type === 'tool_call') block.arguments += delta.json;
      else if ((delta.type === 'text' && block.type === 'text') || (delta.type === 'thinking' && block.type === 'thinking')) block.text += delta.text;
    },
    content: (): IrAssistantBlock[] => blocks,
  };
};

/** Only a request that offers tools can be answered with tool calls, the only turns kept. */
const offersTools = (body: JsonRecord): boolean =>
  (Array.isArray(body.tools) && body.tools.length > 0) || (Array.isArray(body.functions) && body.functions.length > 0);

/** One Chat request's view of the store: the kept turns to put back, and what keeps its own answer. */
export interface ChatReasoningState {
  /** The decoded request with each kept assistant turn in place of the one the client sent back. */
  restore(request: IrRequest): IrRequest;
  /** Takes the assistant content the relay answered with (a whole answer, or a stream's rebuilt content); absent without tools, whose answers are never kept. */
  remember?: (content: () => IrAssistantBlock[]) => void;
  /** Writes the remembered turn if it carries reasoning state; called once the client has it. */
  keep(): Promise<void>;
}

export const openChatReasoningState = async (env: Env, accountId: string, requestId: string, body: JsonRecord): Promise<ChatReasoningState> => {
  const ids = currentLoopCallIds(body);
  const kept = new Map<string, IrAssistantBlock[]>();
  if (ids.length > 0) {
    const found = await Promise.all(ids.map((id) => env.TASKS.get<IrAssistantBlock[]>(stashKey(accountId, id), 'json').catch(() => null)));
    ids.forEach((id, index) => {
      const content = found[index];
      if (Array.isArray(content)) kept.set(id, content);
    });
  }
  let answered: (() => IrAssistantBlock[]) | undefined;
  return {
    restore: (request) => {
      if (kept.size === 0) return request;
      const messages = request.messages.map((message) => {
        if (message.role !== 'assistant') return message;
        const calls = toolCallIds(message.content);
        const stored = calls[0] === undefined ? undefined : kept.get(calls[0]);
        // The client may have edited its history: only the very same tool calls take the kept turn.
        if (stored === undefined || toolCallIds(stored).join('\n') !== calls.join('\n')) return message;
        return { role: 'assistant' as const, content: stored };
      });
      return { ...request, messages };
    },
    ...(offersTools(body)
      ? {
          remember: (content: () => IrAssistantBlock[]) => {
            answered = content;
          },
        }
      : {}),
    keep: async () => {
      const content = answered?.();
      const first = content === undefined ? undefined : toolCallIds(content)[0];
      if (content === undefined || first === undefined || !carriesReasoningState(content)) return;
      await env.TASKS.put(stashKey(accountId, first), JSON.stringify(content), { expirationTtl: TTL_SECONDS }).catch((error: unknown) =>
        console.error(JSON.stringify({ message: 'chat reasoning state could not be kept', requestId, error: String(error) })),
      );
    },
  };
};

import type { IrAssistantBlock } from '../../ir/content';
import type { IrResponse } from '../../ir/response';
import { RelayError } from '../../errors';
import { randomId } from '../shared/ids';
import { OPENAI_VENDOR } from './errors';
import { openAIChatResponseSchema } from './schema';
import type { OpenAIChatResponse } from './schema';
import { mapOpenAIChatFinishReason } from './stop-reason';
import { decodeOpenAIChatUsage } from './usage';

/**
 * An upstream `chat.completion` body → IR. Only choice 0 is read (the relay never asks for n>1).
 * `reasoning_content` (DeepSeek, vLLM) or `reasoning` (OpenRouter, some others) becomes a thinking
 * block; a `refusal` becomes text with the content_filter stop reason.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
type Message = OpenAIChatResponse['choices'][number]['message'];

export const readOpenAIChatReasoning = (value: { reasoning_content?: unknown; reasoning?: unknown }): string | undefined => {
  if (typeof value.reasoning_content === 'string' && value.reasoning_content !== '') return value.reasoning_content;
  if (typeof value.reasoning === 'string' && value.reasoning !== '') return value.reasoning;
  return undefined;
};

const messageText = (content: Message['content']): string => {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content
    .filter((part) => (part.type ?? 'text') === 'text' && typeof part.text === 'string')
    .map((part) => part.text ?? '')
    .join('');
};

export const decodeOpenAIChatResponse = (input: unknown): IrResponse => {
  const parsed = openAIChatResponseSchema.safeParse(input);
  if (!parsed.success) {
    throw new RelayError('api_error', 502, `${OPENAI_VENDOR}: unreadable chat completion response`, { cause: parsed.error });
  }
  const body = parsed.data;
  const choice = body.choices.find((candidate) => (candidate.index ?? 0) === 0) ?? body.choices[0];
  if (!choice) throw new RelayError('api_error', 502, `${OPENAI_VENDOR}: chat completion response has no choices`);
  const message = choice.message;

  const content: IrAssistantBlock[] = [];
  const reasoning = readOpenAIChatReasoning(message);
  if (reasoning !== undefined) content.push({ type: 'thinking', text: reasoning });
  const text = messageText(message.content);
  if (text !== '') content.push({ type: 'text', text });
  if (message.refusal) content.push({ type: 'text', text: message.refusal });
  for (const call of message.tool_calls ?? []) {
    if (!call.function) continue;
    content.push({
      type: 'tool_call',
      id: call.id || `call_${randomId()}`,
      name: call.function.name ?? '',
      arguments: call.function.arguments ?? '',
    });
  }
  if (message.function_call?.name) {
    const { name, arguments: args } = message.function_call;
    content.push({ type: 'tool_call', id: `call_${randomId()}`, name, arguments: args ?? '' });
  }

  const hasToolCall = content.some((block) => block.type === 'tool_call');
  const mapped = mapOpenAIChatFinishReason(choice.finish_reason);
  const stopReason = hasToolCall ? 'tool_use' : message.refusal && mapped === 'end_turn' ? 'content_filter' : mapped;
  return {
    id: body.id || `chatcmpl-${randomId()}`,
    model: body.model ?? '',
    content,
    stopReason,
    stopSequence: null,
    usage: decodeOpenAIChatUsage(body.usage),
  };
};

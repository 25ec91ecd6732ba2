import type { IrTextBlock, IrThinkingBlock, IrToolCallBlock } from '../../ir/content';
import type { IrRequest } from '../../ir/request';
import type { IrResponse } from '../../ir/response';
import type { ClientContext } from '../codec';
import { withPrefix } from '../shared/ids';
import { toOpenAIChatFinishReason } from './stop-reason';
import { encodeOpenAIChatUsage } from './usage';

/**
 * IR response → a `chat.completion` body for an OpenAI client. Thinking text rides in the de-facto
 * `reasoning_content` extension (read by DeepSeek-style clients, ignored by openai-node); signatures
 * have no field in this format and are not sent.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
export const openAIChatCompletionId = (id: string): string => withPrefix('chatcmpl-', id);

/** Whether thinking text is shown to this client; only an explicit `visible:false` hides it. */
export const openAIChatShowsThinking = (request: IrRequest): boolean => request.reasoning?.visible !== false;

export const encodeOpenAIChatResponse = (response: IrResponse, context: ClientContext): unknown => {
  const text = response.content
    .filter((block): block is IrTextBlock => block.type === 'text')
    .map((block) => block.text)
    .join('');
  const thinking = response.content
    .filter((block): block is IrThinkingBlock => block.type === 'thinking')
    .map((block) => block.text)
    .join('');
  const toolCalls = response.content
    .filter((block): block is IrToolCallBlock => block.type === 'tool_call')
    .map((block) => ({
      id: block.id,
      type: 'function' as const,
      function: { name: block.name, arguments: block.arguments === '' ? '{}' : block.arguments },
    }));

  const message: Record<string, unknown> = {
    role: 'assistant',
    content: text === '' && toolCalls.length > 0 ? null : text,
    refusal: null,
  };
  if (thinking !== '' && openAIChatShowsThinking(context.request)) message.reasoning_content = thinking;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;

  const stopReason = toolCalls.length > 0 ? 'tool_use' : response.stopReason;
  return {
    id: openAIChatCompletionId(response.id),
    object: 'chat.completion',
    created: context.created,
    model: context.request.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: toOpenAIChatFinishReason(stopReason) }],
    usage: encodeOpenAIChatUsage(response.usage),
  };
};

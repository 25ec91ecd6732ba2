import type { SseEvent } from '../../streams/sse-event';

/**
 * Same-format streaming passthrough for Chat Completions: the relay always asks the upstream for
 * `stream_options.include_usage` (it needs the usage), so when the client did not ask, the extra
 * usage-only chunk (`choices: []`) is dropped before it reaches the client. Every other event passes
 * unchanged.
 */
const clientAskedForUsage = (body: Record<string, unknown>): boolean => {
  const options = body.stream_options;
  return typeof options === 'object' && options !== null && (options as Record<string, unknown>).include_usage === true;
};

const isUsageOnlyChunk = (data: string): boolean => {
  if (!data.includes('"usage"')) return false;
  try {
    const chunk = JSON.parse(data) as { choices?: unknown; usage?: unknown };
    return Array.isArray(chunk.choices) && chunk.choices.length === 0 && chunk.usage !== null && chunk.usage !== undefined;
  } catch {
    return false;
  }
};

export const openaiChatPassthroughFilterStage = (clientBody: Record<string, unknown>): Transformer<SseEvent, SseEvent> | undefined => {
  if (clientAskedForUsage(clientBody)) return undefined;
  return {
    transform(event, controller) {
      if (!isUsageOnlyChunk(event.data)) controller.enqueue(event);
    },
  };
};


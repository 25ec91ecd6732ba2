import type { SseEvent } from '../../streams/sse-event';

const parseObject = (data: string | undefined): Record<string, unknown> | undefined => {
  if (data === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(data);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The relay's own in-stream error events (from a fresh encoder, numbered from its start) made to
 * continue the upstream's stream: `sequence_number` goes on from the upstream's last one, and the
 * failed response keeps the id (and fields) of the upstream's `response.created`.
 */
export const continueResponsesPassthrough = (tail: SseEvent[], first: SseEvent | undefined, last: SseEvent | undefined): SseEvent[] => {
  const lastNumber = parseObject(last?.data)?.sequence_number;
  const upstreamResponse = parseObject(first?.data)?.response;
  let next = typeof lastNumber === 'number' ? lastNumber + 1 : undefined;
  return tail.map((event) => {
    const payload = parseObject(event.data);
    if (payload === undefined) return event;
    if (next !== undefined && 'sequence_number' in payload) payload.sequence_number = next++;
    if (upstreamResponse !== null && typeof upstreamResponse === 'object' && payload.response !== null && typeof payload.response === 'object') {
      const { id, created_at, model } = upstreamResponse as Record<string, unknown>;
      payload.response = { ...(payload.response as Record<string, unknown>), id, created_at, model };
    }
    return { ...event, data: JSON.stringify(payload) };
  });
};

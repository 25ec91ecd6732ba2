import type { SseEvent } from '../../streams/sse-event';

/**
 * The response object a Responses stream's last event carries (`response.completed`, or
 * `response.incomplete` for a cut-off answer); undefined for every other event.
 */
export const finalResponseOf = (event: SseEvent): unknown => {
  if (event.event !== 'response.completed' && event.event !== 'response.incomplete') return undefined;
  return (JSON.parse(event.data) as { response?: unknown }).response;
};

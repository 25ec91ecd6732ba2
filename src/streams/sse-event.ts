/** One server-sent event as it travels between the SSE decoder/encoder and the codecs. */
export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
}

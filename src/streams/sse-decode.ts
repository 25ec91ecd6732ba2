import type { SseEvent } from './sse-event';

/**
 * Bytes → SSE events (WHATWG "text/event-stream" parsing). Accepts \n, \r\n and \r line endings,
 * an optional space after the colon, comment lines, and multi-line data. An event still open at
 * EOF without its blank line is dispatched (some upstreams omit the final separator).
 */
export const decodeSseStage = (): Transformer<Uint8Array, SseEvent> => {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let eventName: string | undefined;
  let id: string | undefined;
  let sawField = false;

  const dispatch = (controller: TransformStreamDefaultController<SseEvent>) => {
    if (sawField && data.length > 0) {
      const event: SseEvent = { data: data.join('\n') };
      if (eventName !== undefined) event.event = eventName;
      if (id !== undefined) event.id = id;
      controller.enqueue(event);
    }
    data = [];
    eventName = undefined;
    sawField = false;
  };

  const processLine = (line: string, controller: TransformStreamDefaultController<SseEvent>) => {
    if (line === '') return dispatch(controller);
    if (line.charCodeAt(0) === 58 /* ':' */) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    sawField = true;
    if (field === 'data') data.push(value);
    else if (field === 'event') eventName = value;
    else if (field === 'id') id = value;
  };

  const drain = (controller: TransformStreamDefaultController<SseEvent>, final: boolean) => {
    let start = 0;
    if (buffer.indexOf('\r') === -1) {
      // The common case (every major upstream ends lines with \n alone): jump from line to line.
      for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n', start)) {
        processLine(buffer.slice(start, end), controller);
        start = end + 1;
      }
    } else {
      for (let i = 0; i < buffer.length; i++) {
        const code = buffer.charCodeAt(i);
        if (code !== 10 && code !== 13) continue;
        // A \r at the very end may be the first half of \r\n: wait for more bytes.
        if (code === 13 && i === buffer.length - 1 && !final) break;
        processLine(buffer.slice(start, i), controller);
        if (code === 13 && buffer.charCodeAt(i + 1) === 10) i++;
        start = i + 1;
      }
    }
    buffer = start === 0 ? buffer : buffer.slice(start);
  };

  return {
    transform(chunk, controller) {
      buffer += decoder.decode(chunk, { stream: true });
      drain(controller, false);
    },
    flush(controller) {
      buffer += decoder.decode();
      drain(controller, true);
      if (buffer !== '') processLine(buffer, controller);
      buffer = '';
      dispatch(controller);
    },
  };
};

/** The stage as a TransformStream of its own (tests and simple pipes; the relay fuses stages). */
export const decodeSse = (): TransformStream<Uint8Array, SseEvent> => new TransformStream(decodeSseStage());

import type { SseEvent } from './sse-event';

/** One options object for every chunk's decode, not one per call. */
const STREAMING = { stream: true } as const;

/**
 * Bytes → SSE events (WHATWG "text/event-stream" parsing). Accepts \n, \r\n and \r line endings,
 * an optional space after the colon, comment lines, and multi-line data. An event still open at
 * EOF without its blank line is dispatched (some upstreams omit the final separator).
 */
export const decodeSseStage = (): Transformer<Uint8Array, SseEvent> => {
  const decoder = new TextDecoder();
  let buffer = '';
  /** The event's data lines joined by \n; undefined until its first data line. */
  let data: string | undefined;
  let eventName: string | undefined;
  let id: string | undefined;

  const dispatch = (controller: TransformStreamDefaultController<SseEvent>) => {
    if (data !== undefined) {
      const event: SseEvent = { data };
      if (eventName !== undefined) event.event = eventName;
      if (id !== undefined) event.id = id;
      controller.enqueue(event);
    }
    data = undefined;
    eventName = undefined;
  };

  const addData = (value: string) => {
    data = data === undefined ? value : `${data}\n${value}`;
  };

  const processLine = (line: string, controller: TransformStreamDefaultController<SseEvent>) => {
    if (line === '') return dispatch(controller);
    const first = line.charCodeAt(0);
    if (first === 58 /* ':' */) return;
    // Nearly every line is `data: …`: its value is cut out without cutting out the field name first.
    if (first === 100 /* 'd' */ && line.startsWith('data:')) return addData(line.slice(line.charCodeAt(5) === 32 ? 6 : 5));
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') addData(value);
    else if (field === 'event') eventName = value;
    else if (field === 'id') id = value;
  };

  const drain = (controller: TransformStreamDefaultController<SseEvent>, final: boolean) => {
    let start = 0;
    let lf = buffer.indexOf('\n');
    let cr = buffer.indexOf('\r');
    // Jumps from line end to line end (\n, \r\n or \r) with native searches, not character by character.
    while (lf !== -1 || cr !== -1) {
      if (cr === -1 || (lf !== -1 && lf < cr)) {
        processLine(buffer.slice(start, lf), controller);
        start = lf + 1;
      } else {
        // A \r at the very end may be the first half of \r\n: wait for more bytes.
        if (cr === buffer.length - 1 && !final) break;
        processLine(buffer.slice(start, cr), controller);
        start = buffer.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
      }
      if (lf !== -1 && lf < start) lf = buffer.indexOf('\n', start);
      if (cr !== -1 && cr < start) cr = buffer.indexOf('\r', start);
    }
    buffer = start === 0 ? buffer : buffer.slice(start);
  };

  return {
    transform(chunk, controller) {
      buffer += decoder.decode(chunk, STREAMING);
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

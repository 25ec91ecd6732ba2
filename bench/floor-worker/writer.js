// The least a JS-written response body costs in workerd: the same SSE events the upstream would
// stream, written from memory one event per pull (as the relay's JS path writes its client body,
// src/streams/coalescing-pull.ts), with no upstream read per request. Each distinct request is
// fetched from UPSTREAM once and its events kept; every later request only writes them. Any relay
// that renders its stream in JS (every translation) pays at least this per event.
const recorded = new Map();

const eventsOf = async (request, env) => {
  const url = new URL(request.url);
  const body = await request.text();
  const id = `${request.method} ${url.pathname}${url.search} ${body}`;
  if (!recorded.has(id)) {
    const headers = new Headers(request.headers);
    headers.delete('host');
    const upstream = await fetch(env.UPSTREAM.replace(/\/+$/, '') + url.pathname + url.search, { method: request.method, headers, body });
    const text = await upstream.text();
    const encoder = new TextEncoder();
    // An event ends at a blank line, \n\n or \r\n\r\n (Gemini).
    const events = text.split(/(?<=\r?\n\r?\n)/).map((event) => encoder.encode(event));
    recorded.set(id, { status: upstream.status, contentType: upstream.headers.get('content-type'), events });
  }
  return recorded.get(id);
};

export default {
  async fetch(request, env) {
    const { status, contentType, events } = await eventsOf(request, env);
    let next = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (next < events.length) controller.enqueue(events[next++]);
        if (next === events.length) controller.close();
      },
    });
    return new Response(body, { status, headers: { 'content-type': contentType ?? 'text/event-stream' } });
  },
};

// Diagnostic companion of the floor (not a relay): the floor plus the stream plumbing shape the relay
// uses on a stream — a JS pull-based reader over the upstream body (like src/relay/idle-timeout.ts
// and src/relay/completion.ts) and HOPS identity TransformStreams — with no parsing at all. Run next
// to the floor in the same workerd it separates "JS streams in workerd" from the relay's own logic.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const target = env.UPSTREAM.replace(/\/+$/, '') + url.pathname + url.search;
    const headers = new Headers(request.headers);
    headers.delete('host');
    const upstream = await fetch(target, { method: request.method, headers, body: request.body });
    if (upstream.body === null) return upstream;
    const pulled = (source) => {
      const reader = source.getReader();
      return new ReadableStream({
        async pull(controller) {
          const result = await reader.read();
          if (result.done) controller.close();
          else controller.enqueue(result.value);
        },
        cancel: (reason) => reader.cancel(reason),
      });
    };
    let body = pulled(upstream.body);
    for (let i = 0; i < Number(env.HOPS ?? 4); i++) body = body.pipeThrough(new TransformStream());
    return new Response(pulled(body), { status: upstream.status, headers: upstream.headers });
  },
};

// The floor of a Worker relay that must see the bytes it streams (a usage tap, an error tail, a
// cancel it can notice): the floor plus one JS pull-based reader between the upstream body and the
// client (as src/streams/stream-relay.ts has), and HOPS identity TransformStreams (0 in the bench),
// with no parsing at all. Next to the floor in the same workerd it separates what JS streams cost in
// workerd from the relay's own logic.
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

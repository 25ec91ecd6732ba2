// Every way a Worker can hand an upstream body to its client while JS sees each chunk first, chosen
// per request by the `x-shape` header (bench/body-shapes.mjs measures each one's CPU per chunk).
// `native` returns the fetch body itself: the only shape in which JS sees no chunk.
const readEach = async (source, each) => {
  const reader = source.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    await each(value);
  }
};

const SHAPES = {
  native: (source) => source,
  // A pull source: the runtime asks, JS reads one upstream chunk and enqueues it.
  pull: (source, type) => {
    const reader = source.getReader();
    return new ReadableStream({
      ...(type ? { type } : {}),
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
    });
  },
  'bytes-pull': (source) => SHAPES.pull(source, 'bytes'),
  // A push source: JS reads on its own and enqueues, without waiting to be asked.
  push: (source, type) =>
    new ReadableStream({
      ...(type ? { type } : {}),
      start(controller) {
        readEach(source, (chunk) => controller.enqueue(chunk)).then(() => controller.close());
      },
    }),
  'bytes-push': (source) => SHAPES.push(source, 'bytes'),
  // JS writes into the writable side of a native stream that the runtime reads by itself.
  'identity-write': (source, awaited) => {
    const { readable, writable } = new IdentityTransformStream();
    const writer = writable.getWriter();
    readEach(source, (chunk) => (awaited ? writer.write(chunk) : void writer.write(chunk))).then(() => writer.close());
    return readable;
  },
  'identity-write-awaited': (source) => SHAPES['identity-write'](source, true),
  'for-await': (source) => {
    const { readable, writable } = new IdentityTransformStream();
    const writer = writable.getWriter();
    (async () => {
      for await (const chunk of source) void writer.write(chunk);
      await writer.close();
    })();
    return readable;
  },
};

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const shape = SHAPES[request.headers.get('x-shape') ?? 'native'];
    const headers = new Headers(request.headers);
    headers.delete('host');
    headers.delete('x-shape');
    const upstream = await fetch(env.UPSTREAM.replace(/\/+$/, '') + url.pathname + url.search, { method: request.method, headers, body: request.body });
    if (shape === undefined || upstream.body === null) return upstream;
    return new Response(shape(upstream.body), { status: upstream.status, headers: upstream.headers });
  },
};

export const SHAPE_NAMES = Object.keys(SHAPES);

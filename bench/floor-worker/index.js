// The floor of any Worker relay: forward the request to UPSTREAM unchanged (path, query, method,
// headers, body stream) and return the upstream response as is. No auth, routing, parsing or
// accounting — whatever polyrelay adds on top of this is its own cost.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const target = env.UPSTREAM.replace(/\/+$/, '') + url.pathname + url.search;
    const headers = new Headers(request.headers);
    headers.delete('host');
    return fetch(target, { method: request.method, headers, body: request.body });
  },
};

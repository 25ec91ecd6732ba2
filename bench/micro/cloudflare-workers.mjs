// `cloudflare:workers` for the Node micro-benchmark bundle: src/protocols/registry.ts reaches a
// Durable Object class through the conversation store; the codecs never construct it.
export class DurableObject {}

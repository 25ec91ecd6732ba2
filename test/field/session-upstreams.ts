import type { WireFormat } from '../../src/ir/format';
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY } from '../fakes/anthropic-upstream';
import { createGeminiUpstream, FAKE_GEMINI_KEY } from '../fakes/gemini-upstream';
import { createOpenAIChatUpstream, FAKE_OPENAI_CHAT_KEY } from '../fakes/openai-chat-upstream';
import { createOpenAIResponsesUpstream, FAKE_OPENAI_RESPONSES_KEY } from '../fakes/openai-responses-upstream';
import type { FakeHandler } from '../setup/fake-network';

/**
 * The upstreams of the field session: well-behaved fakes of the four formats, each wrapped so that
 * one model misbehaves the way real providers do (a 429 on one hot model, a 529 that passes, a slow
 * model, a stream that turns to garbage mid-way). Each wrapper counts what reached it per upstream model.
 */
export type Counts = Map<string, number>;

const bump = (counts: Counts, model: string) => counts.set(model, (counts.get(model) ?? 0) + 1);

/** The last body each upstream model received, across all fakes. */
export const lastBodies = new Map<string, Record<string, unknown>>();

/** Reads the JSON body once and hands the handler a request it can still read. */
const byModel = (
  inner: FakeHandler,
  counts: Counts,
  special: (model: string, body: Record<string, unknown>, forward: () => Promise<Response>) => Promise<Response> | undefined,
): FakeHandler =>
  async (request) => {
    const text = await request.text();
    const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
    // Gemini names the model in the path.
    const model = typeof body.model === 'string' ? body.model : (/\/models\/([^:]+):/.exec(new URL(request.url).pathname)?.[1] ?? '');
    bump(counts, model);
    lastBodies.set(model, body);
    const forward = () => Promise.resolve(inner(new Request(request.url, { method: request.method, headers: request.headers, body: text })));
    return (await special(model, body, forward)) ?? forward();
  };

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const sse = (frames: string[]) => {
  const encoder = new TextEncoder();
  return new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const frame of frames) controller.enqueue(encoder.encode(frame));
        controller.close();
      },
    }),
    { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' } },
  );
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const ANTHROPIC_BUSY_MESSAGE = 'Number of request tokens has exceeded your per-minute rate limit';
export const RESPONSES_BUSY_MESSAGE = 'Rate limit reached for gpt-busy in organization org-x on requests per min';

/** Streams of `drip` the relay cancelled (the client left): how many. */
export const dripCancels = { count: 0 };

/** Two chunks, then an SSE comment every 100 ms until the reader goes away. */
const drip = (model: string) => {
  const encoder = new TextEncoder();
  const chunk = (delta: Record<string, unknown>) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-d', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
  const frames = [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Thinking it over' })];
  let index = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const frame = frames[index++];
      if (frame !== undefined) return controller.enqueue(encoder.encode(frame));
      await sleep(100);
      controller.enqueue(encoder.encode(': still here\n\n'));
    },
    cancel() {
      dripCancels.count += 1;
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
};

/** A chat fleet: `slow` answers after a delay, `garbage` streams two good chunks then a cut JSON line, `drip` never ends. */
export const fleetUpstream = (counts: Counts) =>
  byModel(createOpenAIChatUpstream(), counts, (model, body, forward) => {
    if (model === 'slow') return sleep(400).then(forward);
    if (model === 'drip') return Promise.resolve(drip(model));
    if (model === 'garbage' && body.stream === true) {
      const chunk = (delta: Record<string, unknown>) =>
        `data: ${JSON.stringify({ id: 'chatcmpl-g', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
      return Promise.resolve(sse([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Half an ans' }), 'data: {"id":"chatcmpl-g","choices":[{"delta":{"content":"wer\n\n']));
    }
    return undefined;
  });

/** Anthropic: `claude-busy` always 429s (with retry-after and quota headers); `claude-storm` 529s every other request. */
export const claudeUpstream = (counts: Counts) =>
  byModel(createAnthropicUpstream(), counts, (model) => {
    if (model === 'claude-busy') {
      return Promise.resolve(
        json(429, { type: 'error', error: { type: 'rate_limit_error', message: `${ANTHROPIC_BUSY_MESSAGE} (${counts.get(model)})` } }, {
          'retry-after': '7',
          'anthropic-ratelimit-requests-remaining': '0',
        }),
      );
    }
    if (model === 'claude-storm' && (counts.get(model) ?? 0) % 2 === 1) {
      return Promise.resolve(json(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
    }
    return undefined;
  });

export const responsesUpstream = (counts: Counts) =>
  byModel(createOpenAIResponsesUpstream(), counts, (model) =>
    model === 'gpt-busy'
      ? Promise.resolve(json(429, { error: { message: RESPONSES_BUSY_MESSAGE, type: 'requests', param: null, code: 'rate_limit_exceeded' } }, { 'retry-after': '3' }))
      : undefined,
  );

export const geminiUpstream = (counts: Counts) => byModel(createGeminiUpstream(), counts, () => undefined);

export const UPSTREAM_KEYS: Record<WireFormat, string> = {
  'openai-chat': FAKE_OPENAI_CHAT_KEY,
  'openai-responses': FAKE_OPENAI_RESPONSES_KEY,
  anthropic: FAKE_ANTHROPIC_KEY,
  gemini: FAKE_GEMINI_KEY,
};

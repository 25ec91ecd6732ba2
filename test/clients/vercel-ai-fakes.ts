/**
 * Upstream fakes of their own for the Vercel AI SDK suite (vercel-ai.test.ts), one per wire format,
 * served on 127.0.0.1 from the test process and registered with the running relay through its admin
 * API. Having them in-process lets a test script the next upstream answer (errors, JSON text for
 * structured output, a Gemini call with arguments) and read both what reached the upstream and the
 * exact bytes the upstream answered, so usage numbers can be compared with what it reported.
 *
 * The happy answers are the shared fakes' own (test/fakes/*); only the scripted ones are built here.
 */
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY, type AnthropicReply } from '../fakes/anthropic-upstream';
import { createGeminiUpstream, FAKE_GEMINI_KEY, type GeminiScript } from '../fakes/gemini-upstream';
import { createOpenAIChatUpstream, FAKE_OPENAI_CHAT_KEY, type OpenAIChatScript } from '../fakes/openai-chat-upstream';
import { createOpenAIResponsesUpstream, FAKE_OPENAI_RESPONSES_KEY, type OpenAIResponsesScript } from '../fakes/openai-responses-upstream';
import { serveOnLoopback } from './node-server';

export type UpstreamFormat = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

/** Same value as ADMIN_TOKEN in global-setup.ts (not exported there). */
const ADMIN_TOKEN = 'clients-admin-token';

/** The models (one provider each) a fake set serves, named after its prefix. */
export const upstreamsFor = (prefix: string): ReadonlyArray<{ format: UpstreamFormat; model: string }> => [
  { format: 'openai-chat', model: `${prefix}-chat` },
  { format: 'openai-responses', model: `${prefix}-responses` },
  { format: 'anthropic', model: `${prefix}-claude` },
  { format: 'gemini', model: `${prefix}-gemini` },
];

export const VERCEL_UPSTREAMS = upstreamsFor('vai');

/** The text each fake's happy answer carries, whole (streams split it into deltas). */
export const HAPPY_TEXT: Record<UpstreamFormat, string> = {
  'openai-chat': 'Hello from the fake OpenAI upstream.',
  'openai-responses': 'Hello from the fake Responses upstream.',
  anthropic: 'Hello from the fake upstream.',
  gemini: 'Hello from the fake Gemini upstream.',
};

export interface Exchange {
  path: string;
  search: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  status: number;
  /** The whole response body the fake sent (JSON or SSE text). */
  responseText: string;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Wraps a fake so every exchange (request body and the full response text) is kept. */
const recording = (handler: (request: Request) => Promise<Response>, exchanges: Exchange[]) => async (request: Request): Promise<Response> => {
  const url = new URL(request.url);
  const bodyText = await request.clone().text();
  let body: Json = {};
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (isObject(parsed)) body = parsed;
  } catch {
    // Not JSON: kept as an empty object; the fake answers its own 400.
  }
  const response = await handler(request);
  const exchange: Exchange = { path: url.pathname, search: url.search, headers: Object.fromEntries(request.headers), body, status: response.status, responseText: '' };
  exchanges.push(exchange);
  if (response.body === null) return response;
  const [forClient, forRecord] = response.body.tee();
  void new Response(forRecord).text().then((text) => {
    exchange.responseText = text;
  });
  return new Response(forClient, { status: response.status, headers: response.headers });
};

/** SSE `data:` payloads of a recorded body, parsed (`[DONE]` and non-JSON lines left out). */
export const ssePayloads = (text: string): Json[] =>
  text
    .split(/\r?\n/)
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trim())
    .filter((data) => data !== '' && data !== '[DONE]')
    .flatMap((data) => {
      try {
        const parsed: unknown = JSON.parse(data);
        return isObject(parsed) ? [parsed] : [];
      } catch {
        return [];
      }
    });

const num = (value: unknown): number => (typeof value === 'number' ? value : 0);

/**
 * The input and output token counts an upstream reported in its answer, in the SDK's convention:
 * input includes cache reads/writes, output includes reasoning.
 */
export const reportedUsage = (format: UpstreamFormat, responseText: string): { input: number; output: number } => {
  const sse = !responseText.trimStart().startsWith('{');
  const payloads = sse ? ssePayloads(responseText) : [JSON.parse(responseText) as Json];
  let input = 0;
  let output = 0;
  for (const payload of payloads) {
    if (format === 'openai-chat' && isObject(payload.usage)) {
      input = num(payload.usage.prompt_tokens);
      output = num(payload.usage.completion_tokens);
    }
    if (format === 'openai-responses') {
      const usage = isObject(payload.response) ? payload.response.usage : payload.usage;
      if (isObject(usage)) {
        input = num(usage.input_tokens);
        output = num(usage.output_tokens);
      }
    }
    if (format === 'anthropic') {
      const usage = isObject(payload.message) ? payload.message.usage : payload.usage;
      if (isObject(usage)) {
        if ('input_tokens' in usage) input = num(usage.input_tokens) + num(usage.cache_creation_input_tokens) + num(usage.cache_read_input_tokens);
        if ('output_tokens' in usage) output = num(usage.output_tokens);
      }
    }
    if (format === 'gemini' && isObject(payload.usageMetadata)) {
      input = num(payload.usageMetadata.promptTokenCount);
      output = num(payload.usageMetadata.candidatesTokenCount) + num(payload.usageMetadata.thoughtsTokenCount);
    }
  }
  return { input, output };
};

const SCRIPTED_USAGE = { input: 17, output: 11 };

export interface TextScriptOptions {
  /** 'length': cut by the output token limit; 'content-filter': stopped by a safety filter (each format's own way of saying so). */
  finish?: 'stop' | 'length' | 'content-filter';
  /** Of the 17 input tokens, this many were cache reads (reported in each format's own convention). */
  cacheRead?: number;
  /** Of the 11 output tokens, this many were reasoning (not expressible in Anthropic's usage). */
  reasoning?: number;
}

/** One text answer in a format's wire shape, whole or streamed in two deltas. */
const textScript = (format: UpstreamFormat, text: string, stream: boolean, model: string, options: TextScriptOptions = {}) => {
  const { input, output } = SCRIPTED_USAGE;
  const cacheRead = options.cacheRead ?? 0;
  const reasoning = options.reasoning ?? 0;
  const cut = options.finish === 'length';
  const filtered = options.finish === 'content-filter';
  const half = Math.ceil(text.length / 2);
  const pieces = [text.slice(0, half), text.slice(half)];
  switch (format) {
    case 'openai-chat': {
      const usage = {
        prompt_tokens: input,
        completion_tokens: output,
        total_tokens: input + output,
        prompt_tokens_details: { cached_tokens: cacheRead },
        completion_tokens_details: { reasoning_tokens: reasoning },
      };
      const finish = cut ? 'length' : filtered ? 'content_filter' : 'stop';
      const envelope = { id: 'chatcmpl-scripted', object: 'chat.completion.chunk', created: 1700000000, model };
      if (!stream) {
        return {
          type: 'json',
          body: {
            ...envelope,
            object: 'chat.completion',
            choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: finish }],
            usage,
          },
        } satisfies OpenAIChatScript;
      }
      const choice = (delta: Json, reason: string | null = null) => ({ ...envelope, choices: [{ index: 0, delta, logprobs: null, finish_reason: reason }] });
      return {
        type: 'stream',
        chunks: [choice({ role: 'assistant', content: '' }), ...pieces.map((piece) => choice({ content: piece })), choice({}, finish), { ...envelope, choices: [], usage }],
      } satisfies OpenAIChatScript;
    }
    case 'openai-responses': {
      const usage = {
        input_tokens: input,
        input_tokens_details: { cached_tokens: cacheRead },
        output_tokens: output,
        output_tokens_details: { reasoning_tokens: reasoning },
        total_tokens: input + output,
      };
      const part = { type: 'output_text', annotations: [], logprobs: [], text };
      const incomplete = cut ? 'max_output_tokens' : filtered ? 'content_filter' : undefined;
      const item = { id: 'msg_scripted', type: 'message', status: incomplete ? 'incomplete' : 'completed', role: 'assistant', content: [part] };
      const response = (status: string, out: unknown[], use: unknown) => ({
        id: 'resp_scripted',
        object: 'response',
        created_at: 1700000000,
        status,
        error: null,
        incomplete_details: status === 'incomplete' ? { reason: incomplete } : null,
        model,
        output: out,
        usage: use,
      });
      const final = response(incomplete ? 'incomplete' : 'completed', [item], usage);
      if (!stream) return { type: 'json', body: final } satisfies OpenAIResponsesScript;
      const at = { item_id: 'msg_scripted', output_index: 0, content_index: 0 };
      return {
        type: 'stream',
        events: [
          { type: 'response.created', response: response('in_progress', [], null) },
          { type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress', content: [] } },
          { type: 'response.content_part.added', ...at, part: { ...part, text: '' } },
          ...pieces.map((delta) => ({ type: 'response.output_text.delta', ...at, delta, logprobs: [] })),
          { type: 'response.output_text.done', ...at, text, logprobs: [] },
          { type: 'response.content_part.done', ...at, part },
          { type: 'response.output_item.done', output_index: 0, item },
          { type: incomplete ? 'response.incomplete' : 'response.completed', response: final },
        ],
      } satisfies OpenAIResponsesScript;
    }
    case 'anthropic': {
      // Anthropic's input_tokens excludes cache reads.
      const usage = { input_tokens: input - cacheRead, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: cacheRead };
      const stopReason = cut ? 'max_tokens' : filtered ? 'refusal' : 'end_turn';
      const message = { id: 'msg_scripted', type: 'message', role: 'assistant', model, stop_sequence: null };
      if (!stream) return { kind: 'json', body: { ...message, content: [{ type: 'text', text }], stop_reason: stopReason, usage } } satisfies AnthropicReply;
      return {
        kind: 'sse',
        events: [
          { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } },
          { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
          ...pieces.map((piece) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } })),
          { type: 'content_block_stop', index: 0 },
          { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: output } },
          { type: 'message_stop' },
        ],
      } satisfies AnthropicReply;
    }
    case 'gemini': {
      // Gemini's candidatesTokenCount excludes thoughts; promptTokenCount includes the cached part.
      const usageMetadata = {
        promptTokenCount: input,
        candidatesTokenCount: output - reasoning,
        totalTokenCount: input + output,
        ...(cacheRead > 0 ? { cachedContentTokenCount: cacheRead } : {}),
        ...(reasoning > 0 ? { thoughtsTokenCount: reasoning } : {}),
      };
      const chunk = (parts: Json[], finish?: string) => ({
        candidates: [{ content: { role: 'model', parts }, ...(finish ? { finishReason: finish } : {}), index: 0 }],
        usageMetadata,
        modelVersion: model,
        responseId: 'scripted',
      });
      const finish = cut ? 'MAX_TOKENS' : filtered ? 'SAFETY' : 'STOP';
      if (!stream) return { kind: 'json', body: chunk([{ text }], finish) } satisfies GeminiScript;
      return { kind: 'stream', chunks: [chunk([{ text: pieces[0] }]), chunk([{ text: pieces[1] }], finish)] } satisfies GeminiScript;
    }
  }
};

/** The opening of an Anthropic stream up to its first text delta ("Hello"). */
const anthropicHello = (id: string, model: string) => [
  {
    type: 'message_start',
    message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } },
  },
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } },
];

/** A stream that stops after some text, before the format's terminator (no finish, no [DONE] / message_stop / response.completed). */
const cutStreamScript = (format: UpstreamFormat, model: string) => {
  switch (format) {
    case 'openai-chat': {
      const envelope = { id: 'chatcmpl-cut', object: 'chat.completion.chunk', created: 1700000000, model };
      const choice = (delta: Json) => ({ ...envelope, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }] });
      return { type: 'stream', chunks: [choice({ role: 'assistant', content: '' }), choice({ content: 'Hello' })], done: false } satisfies OpenAIChatScript;
    }
    case 'openai-responses': {
      const response = { id: 'resp_cut', object: 'response', created_at: 1700000000, status: 'in_progress', error: null, incomplete_details: null, model, output: [], usage: null };
      const at = { item_id: 'msg_cut', output_index: 0, content_index: 0 };
      return {
        type: 'stream',
        events: [
          { type: 'response.created', response },
          { type: 'response.output_item.added', output_index: 0, item: { id: 'msg_cut', type: 'message', status: 'in_progress', role: 'assistant', content: [] } },
          { type: 'response.content_part.added', ...at, part: { type: 'output_text', annotations: [], text: '' } },
          { type: 'response.output_text.delta', ...at, delta: 'Hello', logprobs: [] },
        ],
      } satisfies OpenAIResponsesScript;
    }
    case 'anthropic':
      return {
        kind: 'sse',
        events: [
          ...anthropicHello('msg_cut', model),
        ],
      } satisfies AnthropicReply;
    case 'gemini':
      return {
        kind: 'stream',
        chunks: [{ candidates: [{ content: { role: 'model', parts: [{ text: 'Hello' }] }, index: 0 }], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 }, modelVersion: model, responseId: 'cut' }],
      } satisfies GeminiScript;
  }
};

/** A stream that sends some text, then the format's own in-stream error event carrying `message`. */
const streamErrorScript = (format: UpstreamFormat, message: string, model: string) => {
  switch (format) {
    case 'openai-chat': {
      const envelope = { id: 'chatcmpl-failing', object: 'chat.completion.chunk', created: 1700000000, model };
      const choice = (delta: Json) => ({ ...envelope, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }] });
      return {
        type: 'stream',
        chunks: [choice({ role: 'assistant', content: '' }), choice({ content: 'Hello' }), { error: { message, type: 'server_error', param: null, code: null } }],
        done: false,
      } satisfies OpenAIChatScript;
    }
    case 'openai-responses': {
      const response = { id: 'resp_failing', object: 'response', created_at: 1700000000, status: 'in_progress', error: null, incomplete_details: null, model, output: [], usage: null };
      const at = { item_id: 'msg_failing', output_index: 0, content_index: 0 };
      return {
        type: 'stream',
        events: [
          { type: 'response.created', response },
          { type: 'response.output_item.added', output_index: 0, item: { id: 'msg_failing', type: 'message', status: 'in_progress', role: 'assistant', content: [] } },
          { type: 'response.content_part.added', ...at, part: { type: 'output_text', annotations: [], text: '' } },
          { type: 'response.output_text.delta', ...at, delta: 'Hello', logprobs: [] },
          { type: 'error', code: 'server_error', message, param: null },
        ],
      } satisfies OpenAIResponsesScript;
    }
    case 'anthropic':
      return {
        kind: 'sse',
        events: [
          ...anthropicHello('msg_failing', model),
          { type: 'error', error: { type: 'overloaded_error', message } },
        ],
      } satisfies AnthropicReply;
    case 'gemini':
      return {
        kind: 'stream',
        chunks: [
          { candidates: [{ content: { role: 'model', parts: [{ text: 'Hello' }] }, index: 0 }], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 }, modelVersion: model, responseId: 'failing' },
          { error: { code: 500, message, status: 'INTERNAL' } },
        ],
      } satisfies GeminiScript;
  }
};

export interface ScriptedCall {
  id: string;
  name: string;
  args: Json;
}

/** An answer made of tool calls only (in order), in a format's wire shape; Gemini calls carry no id. */
const callsScript = (format: UpstreamFormat, calls: ScriptedCall[], stream: boolean, model: string) => {
  const { input, output } = SCRIPTED_USAGE;
  switch (format) {
    case 'openai-chat': {
      const usage = { prompt_tokens: input, completion_tokens: output, total_tokens: input + output };
      const envelope = { id: 'chatcmpl-calls', object: 'chat.completion.chunk', created: 1700000000, model };
      if (!stream) {
        const toolCalls = calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args) } }));
        return {
          type: 'json',
          body: { ...envelope, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: toolCalls }, logprobs: null, finish_reason: 'tool_calls' }], usage },
        } satisfies OpenAIChatScript;
      }
      const choice = (delta: Json, finish: string | null = null) => ({ ...envelope, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
      return {
        type: 'stream',
        chunks: [
          choice({ role: 'assistant', content: null }),
          ...calls.flatMap((call, index) => [
            choice({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }),
            choice({ tool_calls: [{ index, function: { arguments: JSON.stringify(call.args) } }] }),
          ]),
          choice({}, 'tool_calls'),
          { ...envelope, choices: [], usage },
        ],
      } satisfies OpenAIChatScript;
    }
    case 'openai-responses': {
      const usage = { input_tokens: input, input_tokens_details: { cached_tokens: 0 }, output_tokens: output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: input + output };
      const items = calls.map((call, index) => ({ id: `fc_scripted${index}`, type: 'function_call', status: 'completed', arguments: JSON.stringify(call.args), call_id: call.id, name: call.name }));
      const response = (status: string, out: unknown[], use: unknown) => ({ id: 'resp_calls', object: 'response', created_at: 1700000000, status, error: null, incomplete_details: null, model, output: out, usage: use });
      if (!stream) return { type: 'json', body: response('completed', items, usage) } satisfies OpenAIResponsesScript;
      return {
        type: 'stream',
        events: [
          { type: 'response.created', response: response('in_progress', [], null) },
          ...items.flatMap((item, index) => [
            { type: 'response.output_item.added', output_index: index, item: { ...item, status: 'in_progress', arguments: '' } },
            { type: 'response.function_call_arguments.delta', item_id: item.id, output_index: index, delta: item.arguments },
            { type: 'response.function_call_arguments.done', item_id: item.id, output_index: index, arguments: item.arguments },
            { type: 'response.output_item.done', output_index: index, item },
          ]),
          { type: 'response.completed', response: response('completed', items, usage) },
        ],
      } satisfies OpenAIResponsesScript;
    }
    case 'anthropic': {
      const usage = { input_tokens: input, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
      const message = { id: 'msg_calls', type: 'message', role: 'assistant', model, stop_sequence: null };
      const blocks = calls.map((call) => ({ type: 'tool_use', id: call.id, name: call.name, input: call.args }));
      if (!stream) return { kind: 'json', body: { ...message, content: blocks, stop_reason: 'tool_use', usage } } satisfies AnthropicReply;
      return {
        kind: 'sse',
        events: [
          { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } },
          ...blocks.flatMap((block, index) => [
            { type: 'content_block_start', index, content_block: { ...block, input: {} } },
            { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } },
            { type: 'content_block_stop', index },
          ]),
          { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: output } },
          { type: 'message_stop' },
        ],
      } satisfies AnthropicReply;
    }
    case 'gemini': {
      const usageMetadata = { promptTokenCount: input, candidatesTokenCount: output, totalTokenCount: input + output };
      const chunk = (parts: Json[], finish?: string) => ({
        candidates: [{ content: { role: 'model', parts }, ...(finish ? { finishReason: finish } : {}), index: 0 }],
        usageMetadata,
        modelVersion: model,
        responseId: 'scripted-calls',
      });
      const parts = calls.map((call) => ({ functionCall: { name: call.name, args: call.args } }));
      if (!stream) return { kind: 'json', body: chunk(parts, 'STOP') } satisfies GeminiScript;
      return { kind: 'stream', chunks: parts.map((part, index) => chunk([part], index === parts.length - 1 ? 'STOP' : undefined)) } satisfies GeminiScript;
    }
  }
};

const OPENAI_ERROR_TYPES: Record<number, string> = { 400: 'invalid_request_error', 429: 'requests', 503: 'server_error' };
const ANTHROPIC_ERROR_TYPES: Record<number, string> = { 400: 'invalid_request_error', 429: 'rate_limit_error', 503: 'overloaded_error' };
const GEMINI_STATUSES: Record<number, string> = { 400: 'INVALID_ARGUMENT', 429: 'RESOURCE_EXHAUSTED', 503: 'UNAVAILABLE' };

export interface VercelFakes {
  relayUrl: string;
  relayKey: string;
  exchanges: Record<UpstreamFormat, Exchange[]>;
  /** The last exchange of a format's fake (after waiting for its response body to be read whole). */
  last: (format: UpstreamFormat) => Promise<Exchange>;
  /** The next request to that fake answers this HTTP error, in the format's own error shape. */
  failNext: (format: UpstreamFormat, status: number, message: string, headers?: Record<string, string>) => void;
  /** The next request to that fake answers this text (usage 17 in / 11 out). */
  textNext: (format: UpstreamFormat, text: string, stream: boolean, options?: TextScriptOptions) => void;
  /** The next (streamed) request to that fake gets a stream cut before its terminator. */
  cutNext: (format: UpstreamFormat) => void;
  /** The next (streamed) request to that fake gets some text, then an in-stream error event with this message. */
  streamErrorNext: (format: UpstreamFormat, message: string) => void;
  /** The next answer is these tool calls (Gemini: without ids). */
  callsNext: (format: UpstreamFormat, calls: ScriptedCall[], stream: boolean) => void;
  /** Gemini only: the next answer is a functionCall with these args. */
  geminiCallNext: (name: string, args: Json, stream: boolean) => void;
  /** Registers one more model served by a format's fake, on a provider of its own (own breaker and rate-limit memory). */
  addModel: (format: UpstreamFormat, model: string) => Promise<void>;
  close: () => Promise<void>;
}

export const SCRIPTED = SCRIPTED_USAGE;

/**
 * Starts one fake per format and registers their models (`<prefix>-chat`, …). Each set has its own
 * fakes and providers, so suites using different sets can run at the same time.
 */
export const startVercelFakes = async (relayUrl: string, relayKey: string, prefix = 'vai'): Promise<VercelFakes> => {
  const chat = createOpenAIChatUpstream();
  const responses = createOpenAIResponsesUpstream();
  const anthropic = createAnthropicUpstream();
  const gemini = createGeminiUpstream();
  const exchanges: Record<UpstreamFormat, Exchange[]> = { 'openai-chat': [], 'openai-responses': [], anthropic: [], gemini: [] };
  const servers = await Promise.all([
    serveOnLoopback(recording(chat, exchanges['openai-chat'])),
    serveOnLoopback(recording(responses, exchanges['openai-responses'])),
    serveOnLoopback(recording(anthropic, exchanges.anthropic)),
    serveOnLoopback(recording(gemini, exchanges.gemini)),
  ]);
  const [chatServer, responsesServer, anthropicServer, geminiServer] = servers.map((server) => server.url);
  const upstreams = upstreamsFor(prefix);
  const modelOf = (format: UpstreamFormat) => upstreams.find((entry) => entry.format === format)?.model ?? format;

  const admin = async (body: Json) => {
    const response = await fetch(`${relayUrl}/admin/providers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error(`admin /providers: ${response.status} ${await response.text()}`);
  };
  const providerIds: string[] = [];
  const connection: Record<UpstreamFormat, { baseUrl: string; apiKey: string }> = {
    'openai-chat': { baseUrl: `${chatServer}/v1`, apiKey: FAKE_OPENAI_CHAT_KEY },
    'openai-responses': { baseUrl: `${responsesServer}/v1`, apiKey: FAKE_OPENAI_RESPONSES_KEY },
    anthropic: { baseUrl: anthropicServer ?? '', apiKey: FAKE_ANTHROPIC_KEY },
    gemini: { baseUrl: geminiServer ?? '', apiKey: FAKE_GEMINI_KEY },
  };
  /** Registers a provider (id = model name) serving one model from that format's fake. */
  const addModel = async (format: UpstreamFormat, model: string) => {
    await admin({ id: model, protocol: format, ...connection[format], models: [model] });
    providerIds.push(model);
  };
  for (const { format, model } of upstreams) await addModel(format, model);

  const last = async (format: UpstreamFormat): Promise<Exchange> => {
    const exchange = exchanges[format].at(-1);
    if (exchange === undefined) throw new Error(`the ${format} fake saw no request`);
    for (let i = 0; i < 100 && exchange.responseText === ''; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    return exchange;
  };

  const failNext = (format: UpstreamFormat, status: number, message: string, headers: Record<string, string> = {}) => {
    const openaiBody = { error: { message, type: OPENAI_ERROR_TYPES[status] ?? 'server_error', param: null, code: null } };
    if (format === 'openai-chat') chat.enqueue({ type: 'error', status, body: openaiBody, headers });
    if (format === 'openai-responses') responses.enqueue({ type: 'error', status, body: openaiBody, headers });
    if (format === 'anthropic') anthropic.enqueue({ kind: 'error', status, type: ANTHROPIC_ERROR_TYPES[status] ?? 'api_error', message, headers });
    if (format === 'gemini') gemini.script({ kind: 'error', status, body: { error: { code: status, message, status: GEMINI_STATUSES[status] ?? 'UNKNOWN' } }, headers });
  };


  const enqueue = (format: UpstreamFormat, script: OpenAIChatScript | OpenAIResponsesScript | AnthropicReply | GeminiScript) => {
    if (format === 'openai-chat') chat.enqueue(script as OpenAIChatScript);
    if (format === 'openai-responses') responses.enqueue(script as OpenAIResponsesScript);
    if (format === 'anthropic') anthropic.enqueue(script as AnthropicReply);
    if (format === 'gemini') gemini.script(script as GeminiScript);
  };
  const textNext = (format: UpstreamFormat, text: string, stream: boolean, options?: TextScriptOptions) =>
    enqueue(format, textScript(format, text, stream, modelOf(format), options));

  return {
    relayUrl,
    relayKey,
    exchanges,
    addModel,
    last,
    failNext,
    textNext,
    cutNext: (format) => enqueue(format, cutStreamScript(format, modelOf(format))),
    streamErrorNext: (format, message) => enqueue(format, streamErrorScript(format, message, modelOf(format))),
    callsNext: (format, calls, stream) => enqueue(format, callsScript(format, calls, stream, modelOf(format))),
    geminiCallNext: (name, args, stream) => enqueue('gemini', callsScript('gemini', [{ id: 'unused', name, args }], stream, modelOf('gemini'))),
    close: async () => {
      for (const id of providerIds) {
        await fetch(`${relayUrl}/admin/providers/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      }
      await Promise.all(servers.map((server) => server.close()));
    },
  };
};

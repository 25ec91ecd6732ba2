/**
 * A fake OpenAI Chat Completions upstream, written from the wire format (not from the codec under
 * test): `POST {basePath}/chat/completions` with `Authorization: Bearer <key>`, JSON answers, SSE
 * streams of `data:` lines ending in `data: [DONE]`, and `{"error":{message,type,param,code}}` errors.
 * Web APIs only, so it runs in workerd and in Node 22.
 *
 * Without a script it answers "happily": a text answer, or a call of the first offered tool when the
 * request offers tools (and the last message is not already a tool result). Streams carry the usage
 * chunk only when the request set `stream_options.include_usage`, as OpenAI does.
 */
import { OPENAI_DEFAULT_ERRORS, openAIErrorBody, openAIJson } from './openai-wire.ts';

export interface RecordedOpenAIChatRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export type OpenAIChatScript =
  /** A non-stream answer (any status; 200 by default). */
  | { type: 'json'; body: unknown; status?: number; headers?: Record<string, string> }
  /** An SSE answer: objects are JSON-encoded, strings are sent as the raw data line. [DONE] is appended unless done:false. */
  | { type: 'stream'; chunks: unknown[]; done?: boolean }
  /** A recorded `.chunks.txt` (one data payload per line) replayed as SSE. */
  | { type: 'recorded'; text: string; done?: boolean }
  /** An HTTP error in OpenAI's shape (body defaults from the status). */
  | { type: 'error'; status: number; body?: unknown; headers?: Record<string, string> };

export type OpenAIChatScriptSource = OpenAIChatScript | ((body: Record<string, unknown>) => OpenAIChatScript);

export interface OpenAIChatUpstreamOptions {
  apiKey?: string;
  /** The path part of the provider baseUrl (`https://api.openai.com/v1` ⇒ `/v1`). */
  basePath?: string;
  /** Answer for every request that has no queued script. Default: the happy script. */
  script?: OpenAIChatScriptSource;
}

export interface FakeOpenAIChatUpstream {
  (request: Request): Promise<Response>;
  readonly requests: RecordedOpenAIChatRequest[];
  /** Scripts used once each, in order, before falling back to `options.script`. */
  enqueue(...scripts: OpenAIChatScriptSource[]): void;
}

export const FAKE_OPENAI_CHAT_KEY = 'sk-fake-openai-chat';
export const FAKE_OPENAI_CHAT_TEXT = 'Hello from the fake OpenAI upstream.';

const encoder = new TextEncoder();



const sse = (lines: string[]): Response => {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const line of lines) controller.enqueue(encoder.encode(`data: ${line}\n\n`));
      controller.close();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': 'req_fake' },
  });
};

const record = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/** Arguments that satisfy a simple JSON schema's required properties. */
const sampleArguments = (parameters: unknown): Record<string, unknown> => {
  const schema = record(parameters);
  const properties = record(schema?.properties) ?? {};
  const required = Array.isArray(schema?.required) ? schema.required.filter((key): key is string => typeof key === 'string') : [];
  const out: Record<string, unknown> = {};
  for (const key of required) {
    const type = record(properties[key])?.type;
    out[key] = type === 'number' || type === 'integer' ? 1 : type === 'boolean' ? true : type === 'array' ? [] : type === 'object' ? {} : 'example';
  }
  return out;
};

/** The function tool the happy script calls, if the request invites one. */
const toolToCall = (body: Record<string, unknown>): { name: string; arguments: string } | undefined => {
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const last = record(messages[messages.length - 1]);
  if (tools.length === 0 || body.tool_choice === 'none' || last?.role === 'tool') return undefined;
  const fn = record(record(tools[0])?.function);
  if (typeof fn?.name !== 'string') return undefined;
  return { name: fn.name, arguments: JSON.stringify(sampleArguments(fn.parameters)) };
};

const USAGE = {
  prompt_tokens: 12,
  completion_tokens: 7,
  total_tokens: 19,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
};

const happyScript = (body: Record<string, unknown>, sequence: number): OpenAIChatScript => {
  const id = `chatcmpl-fake${sequence}`;
  const model = typeof body.model === 'string' ? body.model : 'fake-model';
  const call = toolToCall(body);
  const includeUsage = record(body.stream_options)?.include_usage === true;
  // With include_usage, OpenAI sends `usage: null` on every chunk before the usage chunk.
  const envelope = {
    id,
    object: 'chat.completion.chunk',
    created: 1700000000,
    model,
    system_fingerprint: 'fp_fake',
    ...(includeUsage ? { usage: null } : {}),
  };
  if (body.stream !== true) {
    const message = call
      ? { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: `call_fake${sequence}`, type: 'function', function: call }], annotations: [] }
      : { role: 'assistant', content: FAKE_OPENAI_CHAT_TEXT, refusal: null, annotations: [] };
    return {
      type: 'json',
      body: {
        id,
        object: 'chat.completion',
        created: 1700000000,
        model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: call ? 'tool_calls' : 'stop' }],
        usage: USAGE,
        service_tier: 'default',
        system_fingerprint: 'fp_fake',
      },
    };
  }
  const choice = (delta: Record<string, unknown>, finish: string | null = null) => ({
    ...envelope,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const middle = call
    ? [
        choice({ tool_calls: [{ index: 0, id: `call_fake${sequence}`, type: 'function', function: { name: call.name, arguments: '' } }] }),
        choice({ tool_calls: [{ index: 0, function: { arguments: call.arguments.slice(0, 1) } }] }),
        choice({ tool_calls: [{ index: 0, function: { arguments: call.arguments.slice(1) } }] }),
      ]
    : [choice({ content: 'Hello' }), choice({ content: FAKE_OPENAI_CHAT_TEXT.slice('Hello'.length) })];
  return {
    type: 'stream',
    chunks: [
      choice({ role: 'assistant', content: '', refusal: null }),
      ...middle,
      choice({}, call ? 'tool_calls' : 'stop'),
      ...(includeUsage ? [{ ...envelope, choices: [], usage: USAGE }] : []),
    ],
  };
};

const answer = (script: OpenAIChatScript): Response => {
  switch (script.type) {
    case 'json':
      return openAIJson(script.status ?? 200, script.body, script.headers);
    case 'error': {
      const [message, type, code] = OPENAI_DEFAULT_ERRORS[script.status] ?? ['Upstream error.', 'server_error', null];
      return openAIJson(script.status, script.body ?? openAIErrorBody(message, type, code), script.headers);
    }
    case 'stream': {
      const lines = script.chunks.map((chunk) => (typeof chunk === 'string' ? chunk : JSON.stringify(chunk)));
      return sse(script.done === false ? lines : [...lines, '[DONE]']);
    }
    case 'recorded': {
      const lines = script.text.split('\n').filter((line) => line.trim() !== '');
      return sse(script.done === false ? lines : [...lines, '[DONE]']);
    }
  }
};

export const createOpenAIChatUpstream = (options: OpenAIChatUpstreamOptions = {}): FakeOpenAIChatUpstream => {
  const apiKey = options.apiKey ?? FAKE_OPENAI_CHAT_KEY;
  const endpoint = `${options.basePath ?? '/v1'}/chat/completions`;
  const requests: RecordedOpenAIChatRequest[] = [];
  const queue: OpenAIChatScriptSource[] = [];

  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const text = await request.text();
    let body: unknown = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = text;
    }
    requests.push({ method: request.method, path: url.pathname + url.search, headers: Object.fromEntries(request.headers), body });

    if (request.method !== 'POST' || url.pathname !== endpoint) {
      return openAIJson(404, openAIErrorBody(`Invalid URL (${request.method} ${url.pathname})`, 'invalid_request_error', null));
    }
    if (request.headers.get('authorization') !== `Bearer ${apiKey}`) {
      // As OpenAI-compatible servers do, the key it was given is repeated in the message.
      const given = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
      return openAIJson(401, openAIErrorBody(`Incorrect API key provided: ${given}.`, 'invalid_request_error', 'invalid_api_key'));
    }
    const parsed = record(body);
    if (!parsed) return openAIJson(400, openAIErrorBody('We could not parse the JSON body of your request.', 'invalid_request_error', null));
    if (typeof parsed.model !== 'string' || parsed.model === '') {
      return openAIJson(400, openAIErrorBody("Missing required parameter: 'model'.", 'invalid_request_error', 'missing_required_parameter', 'model'));
    }
    if (!Array.isArray(parsed.messages) || parsed.messages.length === 0) {
      return openAIJson(400, openAIErrorBody("Missing required parameter: 'messages'.", 'invalid_request_error', 'missing_required_parameter', 'messages'));
    }
    const source = queue.shift() ?? options.script ?? ((value: Record<string, unknown>) => happyScript(value, requests.length));
    return answer(typeof source === 'function' ? source(parsed) : source);
  };

  return Object.assign(handler, {
    requests,
    enqueue: (...scripts: OpenAIChatScriptSource[]) => {
      queue.push(...scripts);
    },
  });
};

/**
 * A fake OpenAI Responses upstream, written from the wire format (not from the codec under test):
 * `POST {basePath}/responses` and `POST {basePath}/responses/input_tokens` with
 * `Authorization: Bearer <key>`, JSON Response objects, SSE streams where every event has an
 * `event: <type>` line and a `data:` payload carrying `type` and `sequence_number` (no `[DONE]`), and
 * `{"error":{message,type,param,code}}` errors. Web APIs only, so it runs in workerd and in Node 22.
 *
 * Without a script it answers "happily": a text message, or a call of the first offered function
 * tool when the request offers tools (and the last input item is not already a tool output).
 */
import { OPENAI_DEFAULT_ERRORS, openAIErrorBody, openAIJson } from './openai-wire.ts';

export interface RecordedOpenAIResponsesRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export type OpenAIResponsesScript =
  /** A non-stream answer (any status; 200 by default). */
  | { type: 'json'; body: unknown; status?: number; headers?: Record<string, string> }
  /** An SSE answer: each object is one event (its `type` names it; `sequence_number` is filled in when absent). Strings go out as raw data lines. */
  | { type: 'stream'; events: unknown[]; done?: boolean }
  /** A recorded `.chunks.txt` (one data payload per line) replayed as SSE with its event names. */
  | { type: 'recorded'; text: string; done?: boolean }
  /** An HTTP error in OpenAI's shape (body defaults from the status). */
  | { type: 'error'; status: number; body?: unknown; headers?: Record<string, string> };

export type OpenAIResponsesScriptSource = OpenAIResponsesScript | ((body: Record<string, unknown>) => OpenAIResponsesScript);

export interface OpenAIResponsesUpstreamOptions {
  apiKey?: string;
  /** The path part of the provider baseUrl (`https://api.openai.com/v1` ⇒ `/v1`). */
  basePath?: string;
  /** Answer for every request that has no queued script. Default: the happy script. */
  script?: OpenAIResponsesScriptSource;
  /** The happy script's ids are `resp_<idTag>N`, `msg_<idTag>N`, …: two fakes otherwise mint the same ids. Default `fake`. */
  idTag?: string;
  /**
   * Like the real API with `store` on: remembers the ids of the responses and output items it
   * answered, and answers 404 to a `previous_response_id` or `item_reference` it never stored.
   */
  keepsResponses?: boolean;
}

export interface FakeOpenAIResponsesUpstream {
  (request: Request): Promise<Response>;
  readonly requests: RecordedOpenAIResponsesRequest[];
  /** Scripts used once each, in order, before falling back to `options.script`. */
  enqueue(...scripts: OpenAIResponsesScriptSource[]): void;
}

export const FAKE_OPENAI_RESPONSES_KEY = 'sk-fake-openai-responses';
export const FAKE_OPENAI_RESPONSES_TEXT = 'Hello from the fake Responses upstream.';

const encoder = new TextEncoder();


const HEADERS = { 'x-request-id': 'req_fake' };


const record = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : undefined;

const sse = (frames: string[]): Response => {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const frame of frames) controller.enqueue(encoder.encode(frame));
      controller.close();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...HEADERS },
  });
};

/** `event: <type>` + `data:` for a JSON payload; a raw string is sent as a bare data line. */
const frame = (payload: unknown): string => {
  if (typeof payload === 'string') return `data: ${payload}\n\n`;
  const type = record(payload)?.type;
  return `${typeof type === 'string' ? `event: ${type}\n` : ''}data: ${JSON.stringify(payload)}\n\n`;
};

const numbered = (events: unknown[]): unknown[] =>
  events.map((event, index) => {
    const object = record(event);
    return object === undefined || 'sequence_number' in object ? event : { ...object, sequence_number: index };
  });

/** Arguments that satisfy a simple JSON schema's required properties. */
const sampleArguments = (parameters: unknown): string => {
  const schema = record(parameters);
  const properties = record(schema?.properties) ?? {};
  const required = Array.isArray(schema?.required) ? schema.required.filter((key): key is string => typeof key === 'string') : [];
  const out: Record<string, unknown> = {};
  for (const key of required) {
    const type = record(properties[key])?.type;
    out[key] = type === 'number' || type === 'integer' ? 1 : type === 'boolean' ? true : type === 'array' ? [] : type === 'object' ? {} : 'example';
  }
  return JSON.stringify(out);
};

const toolToCall = (body: Record<string, unknown>): { name: string; arguments: string } | undefined => {
  const tools = Array.isArray(body.tools) ? body.tools.map(record) : [];
  const input = Array.isArray(body.input) ? body.input : [];
  const last = record(input[input.length - 1]);
  if (body.tool_choice === 'none' || last?.type === 'function_call_output') return undefined;
  const tool = tools.find((candidate) => candidate?.type === 'function' && typeof candidate.name === 'string');
  return tool && typeof tool.name === 'string' ? { name: tool.name, arguments: sampleArguments(tool.parameters) } : undefined;
};

const USAGE = {
  input_tokens: 21,
  input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
  output_tokens: 9,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 30,
};

const responseObject = (id: string, body: Record<string, unknown>, status: string, output: unknown[], usage: unknown) => ({
  id,
  object: 'response',
  created_at: 1700000000,
  status,
  background: false,
  error: null,
  incomplete_details: null,
  instructions: typeof body.instructions === 'string' ? body.instructions : null,
  max_output_tokens: typeof body.max_output_tokens === 'number' ? body.max_output_tokens : null,
  model: typeof body.model === 'string' ? body.model : 'fake-model',
  output,
  parallel_tool_calls: body.parallel_tool_calls !== false,
  previous_response_id: null,
  reasoning: { effort: null, summary: null },
  store: body.store !== false,
  temperature: 1,
  text: { format: { type: 'text' }, verbosity: 'medium' },
  tool_choice: body.tool_choice ?? 'auto',
  tools: Array.isArray(body.tools) ? body.tools : [],
  top_p: 1,
  truncation: 'disabled',
  usage,
  user: null,
  metadata: {},
});

const happyScript = (body: Record<string, unknown>, sequence: number, tag = 'fake'): OpenAIResponsesScript => {
  const id = `resp_${tag}${sequence}`;
  const call = toolToCall(body);
  const itemId = call ? `fc_${tag}${sequence}` : `msg_${tag}${sequence}`;
  const part = { type: 'output_text', annotations: [], logprobs: [], text: FAKE_OPENAI_RESPONSES_TEXT };
  const done = call
    ? { id: itemId, type: 'function_call', status: 'completed', arguments: call.arguments, call_id: `call_${tag}${sequence}`, name: call.name }
    : { id: itemId, type: 'message', status: 'completed', role: 'assistant', content: [part] };
  const completed = responseObject(id, body, 'completed', [done], USAGE);
  if (body.stream !== true) return { type: 'json', body: completed };

  const inProgress = responseObject(id, body, 'in_progress', [], null);
  const at = { item_id: itemId, output_index: 0 };
  const middle = call
    ? [
        { type: 'response.output_item.added', output_index: 0, item: { ...done, status: 'in_progress', arguments: '' } },
        { type: 'response.function_call_arguments.delta', ...at, delta: call.arguments.slice(0, 2) },
        { type: 'response.function_call_arguments.delta', ...at, delta: call.arguments.slice(2) },
        { type: 'response.function_call_arguments.done', ...at, arguments: call.arguments },
      ]
    : [
        { type: 'response.output_item.added', output_index: 0, item: { ...done, status: 'in_progress', content: [] } },
        { type: 'response.content_part.added', ...at, content_index: 0, part: { ...part, text: '' } },
        { type: 'response.output_text.delta', ...at, content_index: 0, delta: 'Hello', logprobs: [] },
        { type: 'response.output_text.delta', ...at, content_index: 0, delta: FAKE_OPENAI_RESPONSES_TEXT.slice(5), logprobs: [] },
        { type: 'response.output_text.done', ...at, content_index: 0, text: FAKE_OPENAI_RESPONSES_TEXT, logprobs: [] },
        { type: 'response.content_part.done', ...at, content_index: 0, part },
      ];
  return {
    type: 'stream',
    events: [
      { type: 'response.created', response: inProgress },
      { type: 'response.in_progress', response: inProgress },
      ...middle,
      { type: 'response.output_item.done', output_index: 0, item: done },
      { type: 'response.completed', response: completed },
    ],
  };
};

const answer = (script: OpenAIResponsesScript): Response => {
  switch (script.type) {
    case 'json':
      return openAIJson(script.status ?? 200, script.body, script.headers);
    case 'error': {
      const [message, type, code] = OPENAI_DEFAULT_ERRORS[script.status] ?? ['Upstream error.', 'server_error', null];
      return openAIJson(script.status, script.body ?? openAIErrorBody(message, type, code), script.headers);
    }
    case 'stream': {
      const frames = numbered(script.events).map(frame);
      return sse(script.done === true ? [...frames, 'data: [DONE]\n\n'] : frames);
    }
    case 'recorded': {
      const frames = script.text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          const type = record(JSON.parse(line))?.type;
          return `${typeof type === 'string' ? `event: ${type}\n` : ''}data: ${line}\n\n`;
        });
      return sse(script.done === true ? [...frames, 'data: [DONE]\n\n'] : frames);
    }
  }
};

/** The 404 body the API sends for the first stored id a request names that this upstream never stored. */
const unknownStoredId = (body: Record<string, unknown>, stored: Set<string>): unknown => {
  const previous = body.previous_response_id;
  if (typeof previous === 'string' && !stored.has(previous)) {
    return openAIErrorBody(`Previous response with id '${previous}' not found.`, 'invalid_request_error', 'previous_response_not_found', 'previous_response_id');
  }
  const input = Array.isArray(body.input) ? body.input.map(record) : [];
  const reference = input.find((item) => item?.type === 'item_reference' && typeof item.id === 'string' && !stored.has(item.id));
  return reference === undefined ? undefined : openAIErrorBody(`Item with id '${String(reference?.id)}' not found.`, 'invalid_request_error', null, 'input');
};

/** The response and output item ids a script's answer carries (its JSON body, or its stream's final response). */
const storedIdsOf = (script: OpenAIResponsesScript): string[] => {
  const final =
    script.type === 'json' ? record(script.body) : script.type === 'stream' ? record(script.events.map(record).find((event) => event?.type === 'response.completed')?.response) : undefined;
  if (final === undefined) return [];
  const output = Array.isArray(final.output) ? final.output.map(record) : [];
  return [final.id, ...output.map((item) => item?.id)].filter((id): id is string => typeof id === 'string');
};

const estimateTokens = (body: Record<string, unknown>): number =>
  Math.max(1, Math.ceil(JSON.stringify([body.instructions ?? '', body.input ?? '', body.tools ?? []]).length / 4));

export const createOpenAIResponsesUpstream = (options: OpenAIResponsesUpstreamOptions = {}): FakeOpenAIResponsesUpstream => {
  const apiKey = options.apiKey ?? FAKE_OPENAI_RESPONSES_KEY;
  const base = options.basePath ?? '/v1';
  const requests: RecordedOpenAIResponsesRequest[] = [];
  const queue: OpenAIResponsesScriptSource[] = [];
  const stored = new Set<string>();

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

    const counting = url.pathname === `${base}/responses/input_tokens`;
    if (request.method !== 'POST' || (url.pathname !== `${base}/responses` && !counting)) {
      return openAIJson(404, openAIErrorBody(`Invalid URL (${request.method} ${url.pathname})`, 'invalid_request_error', null));
    }
    if (request.headers.get('authorization') !== `Bearer ${apiKey}`) {
      return openAIJson(401, openAIErrorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
    }
    const parsed = record(body);
    if (!parsed) return openAIJson(400, openAIErrorBody('We could not parse the JSON body of your request.', 'invalid_request_error', null));
    if (typeof parsed.model !== 'string' || parsed.model === '') {
      return openAIJson(400, openAIErrorBody("Missing required parameter: 'model'.", 'invalid_request_error', 'missing_required_parameter', 'model'));
    }
    if (counting) return openAIJson(200, { object: 'response.input_tokens', input_tokens: estimateTokens(parsed) });
    if (options.keepsResponses === true) {
      const unknown = unknownStoredId(parsed, stored);
      if (unknown !== undefined) return openAIJson(404, unknown);
    }
    const source = queue.shift() ?? options.script ?? ((value: Record<string, unknown>) => happyScript(value, requests.length, options.idTag));
    const script = typeof source === 'function' ? source(parsed) : source;
    if (options.keepsResponses === true && parsed.store !== false) for (const id of storedIdsOf(script)) stored.add(id);
    return answer(script);
  };

  return Object.assign(handler, {
    requests,
    enqueue: (...scripts: OpenAIResponsesScriptSource[]) => {
      queue.push(...scripts);
    },
  });
};

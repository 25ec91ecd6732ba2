/**
 * A fake Anthropic Messages API for tests (web APIs only: runs in workerd and in Node 22).
 * It speaks the real wire format, hand-written here and not produced by the relay's codec: checks
 * `x-api-key` (or `Authorization: Bearer`) and `anthropic-version`, validates the basics the API
 * validates, records every request, and answers with a scripted reply or a default "happy" one:
 * a text answer, a tool call of the first tool when the request offers tools (text again once the
 * last user turn carries tool results), and a signed thinking block first when thinking is on.
 */

export interface RecordedAnthropicRequest {
  method: string;
  path: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export type AnthropicReply =
  /** A JSON body (a Message, or anything else) with a status, default 200. */
  | { kind: 'json'; body: unknown; status?: number; headers?: Record<string, string> }
  /** An SSE stream of payload objects; each event's name is its `type`. */
  | { kind: 'sse'; events: Array<Record<string, unknown>>; headers?: Record<string, string> }
  /** A recorded `.chunks.txt` (one data payload per line), replayed with `event:` lines added. */
  | { kind: 'recorded'; chunks: string; headers?: Record<string, string> }
  /** Raw SSE text as is (for malformed or truncated streams). */
  | { kind: 'raw'; text: string; status?: number; headers?: Record<string, string> }
  /** An error in Anthropic's shape. */
  | { kind: 'error'; status: number; type: string; message: string; headers?: Record<string, string> };

export interface AnthropicUpstreamOptions {
  apiKey?: string;
  /** Replies for /v1/messages, used in order; when exhausted the happy default answers. */
  replies?: AnthropicReply[];
  /** Fixed answer for /v1/messages/count_tokens (default: a size-based estimate). */
  inputTokens?: number;
  /**
   * Signs thinking with this prefix and, like the real API, refuses a request whose thinking blocks
   * another provider signed (400 "Invalid `signature` in `thinking` block"). Unset: any signature passes.
   */
  signaturePrefix?: string;
}

export type AnthropicUpstream = ((request: Request) => Promise<Response>) & {
  readonly requests: RecordedAnthropicRequest[];
  /** Adds replies to the end of the script. */
  enqueue: (...replies: AnthropicReply[]) => void;
};

export const FAKE_ANTHROPIC_KEY = 'sk-ant-fake-key';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

const jsonResponse = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const errorResponse = (status: number, type: string, message: string, requestId: string, headers: Record<string, string> = {}) =>
  jsonResponse(status, { type: 'error', error: { type, message }, request_id: requestId }, { 'request-id': requestId, ...headers });

const sseFrame = (payload: Json): string => `event: ${String(payload.type)}\ndata: ${JSON.stringify(payload)}\n\n`;

const sseResponse = (frames: string[], requestId: string, headers: Record<string, string> = {}): Response => {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const frame of frames) controller.enqueue(encoder.encode(frame));
      controller.close();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': requestId, ...headers },
  });
};

/** A recorded line keeps its own bytes; only the `event:` line the recording dropped is restored. */
const recordedFrames = (chunks: string): string[] =>
  chunks
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const parsed: unknown = JSON.parse(line);
      const type = isObject(parsed) ? String(parsed.type) : 'message';
      return `event: ${type}\ndata: ${line}\n\n`;
    });

const exampleValue = (schema: unknown): unknown => {
  const type = isObject(schema) ? schema.type : undefined;
  if (type === 'number' || type === 'integer') return 1;
  if (type === 'boolean') return true;
  if (type === 'array') return [];
  if (type === 'object') return {};
  return 'example';
};

/** Arguments for the first tool: every required property gets an example value of its type. */
const exampleInput = (tool: Json): Json => {
  const schema = isObject(tool.input_schema) ? tool.input_schema : {};
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((name): name is string => typeof name === 'string') : [];
  return Object.fromEntries(required.map((name) => [name, exampleValue(properties[name])]));
};

const lastTurnHasToolResults = (messages: unknown[]): boolean => {
  const last = messages.at(-1);
  return isObject(last) && Array.isArray(last.content) && last.content.some((block) => isObject(block) && block.type === 'tool_result');
};

const estimateTokens = (body: Json): number => Math.max(1, Math.ceil(JSON.stringify(body.messages ?? []).length / 4));

interface HappyBlock {
  block: Json;
  deltas: Json[];
}

const happyBlocks = (body: Json, counter: number, signaturePrefix = 'ZmFrZS1zaWduYXR1cmU'): HappyBlock[] => {
  const out: HappyBlock[] = [];
  const thinking = isObject(body.thinking) ? body.thinking : undefined;
  if (thinking !== undefined && (thinking.type === 'enabled' || thinking.type === 'adaptive')) {
    const text = thinking.display === 'omitted' ? '' : 'The user wants an answer.';
    const signature = `${signaturePrefix}${counter}`;
    out.push({
      block: { type: 'thinking', thinking: text, signature },
      deltas: [...(text === '' ? [] : [{ type: 'thinking_delta', thinking: text }]), { type: 'signature_delta', signature }],
    });
  }
  const tools = Array.isArray(body.tools) ? body.tools.filter(isObject) : [];
  const choice = isObject(body.tool_choice) ? body.tool_choice.type : undefined;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const firstTool = tools[0];
  if (firstTool !== undefined && choice !== 'none' && !lastTurnHasToolResults(messages)) {
    const input = exampleInput(firstTool);
    const json = JSON.stringify(input);
    out.push({ block: { type: 'text', text: 'Let me check.' }, deltas: [{ type: 'text_delta', text: 'Let me check.' }] });
    out.push({
      block: { type: 'tool_use', id: `toolu_fake${counter}`, name: String(firstTool.name), input },
      // Real streams split arguments; a no-argument call sends one empty fragment.
      deltas:
        json === '{}'
          ? [{ type: 'input_json_delta', partial_json: '' }]
          : [
              { type: 'input_json_delta', partial_json: json.slice(0, Math.ceil(json.length / 2)) },
              { type: 'input_json_delta', partial_json: json.slice(Math.ceil(json.length / 2)) },
            ],
    });
  } else {
    out.push({
      block: { type: 'text', text: 'Hello from the fake upstream.' },
      deltas: [
        { type: 'text_delta', text: 'Hello' },
        { type: 'text_delta', text: ' from the fake upstream.' },
      ],
    });
  }
  return out;
};

const happyReply = (body: Json, counter: number, requestId: string, signaturePrefix?: string): Response => {
  const blocks = happyBlocks(body, counter, signaturePrefix);
  const stopReason = blocks.some((entry) => entry.block.type === 'tool_use') ? 'tool_use' : 'end_turn';
  const inputTokens = estimateTokens(body);
  const outputTokens = 5 + blocks.length * 7;
  const id = `msg_fake${counter}`;
  const model = String(body.model);
  const usage = { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: outputTokens };
  if (body.stream !== true) {
    return jsonResponse(
      200,
      {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: blocks.map((entry) => entry.block),
        stop_reason: stopReason,
        stop_sequence: null,
        usage,
      },
      { 'request-id': requestId },
    );
  }
  const frames = [
    sseFrame({
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    }),
    sseFrame({ type: 'ping' }),
  ];
  blocks.forEach((entry, index) => {
    const start =
      entry.block.type === 'text'
        ? { type: 'text', text: '' }
        : entry.block.type === 'thinking'
          ? { type: 'thinking', thinking: '', signature: '' }
          : { ...entry.block, input: {} };
    frames.push(sseFrame({ type: 'content_block_start', index, content_block: start }));
    for (const delta of entry.deltas) frames.push(sseFrame({ type: 'content_block_delta', index, delta }));
    frames.push(sseFrame({ type: 'content_block_stop', index }));
  });
  frames.push(
    sseFrame({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } }),
  );
  frames.push(sseFrame({ type: 'message_stop' }));
  return sseResponse(frames, requestId);
};

/** The API's check of replayed thinking: the first block another provider signed, by its place in the request. */
const foreignSignature = (messages: unknown[], prefix: string): string | undefined => {
  for (const [m, message] of messages.entries()) {
    if (!isObject(message) || message.role !== 'assistant' || !Array.isArray(message.content)) continue;
    for (const [b, block] of message.content.entries()) {
      if (!isObject(block)) continue;
      if (block.type === 'thinking' && !String(block.signature).startsWith(prefix)) return `messages.${m}.content.${b}: Invalid \`signature\` in \`thinking\` block`;
    }
  }
  return undefined;
};

const scriptedReply = (reply: AnthropicReply, requestId: string): Response => {
  switch (reply.kind) {
    case 'json':
      return jsonResponse(reply.status ?? 200, reply.body, { 'request-id': requestId, ...reply.headers });
    case 'sse':
      return sseResponse(reply.events.map(sseFrame), requestId, reply.headers);
    case 'recorded':
      return sseResponse(recordedFrames(reply.chunks), requestId, reply.headers);
    case 'raw':
      return new Response(reply.text, {
        status: reply.status ?? 200,
        headers: { 'content-type': 'text/event-stream; charset=utf-8', 'request-id': requestId, ...reply.headers },
      });
    case 'error':
      return errorResponse(reply.status, reply.type, reply.message, requestId, reply.headers);
  }
};

export const createAnthropicUpstream = (options: AnthropicUpstreamOptions = {}): AnthropicUpstream => {
  const apiKey = options.apiKey ?? FAKE_ANTHROPIC_KEY;
  const replies = [...(options.replies ?? [])];
  const requests: RecordedAnthropicRequest[] = [];
  let counter = 0;

  const handle = async (request: Request): Promise<Response> => {
    counter += 1;
    const requestId = `req_fake${counter}`;
    const invalid = (message: string) => errorResponse(400, 'invalid_request_error', message, requestId);
    const url = new URL(request.url);
    const text = await request.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    requests.push({ method: request.method, path: url.pathname, url: request.url, headers: Object.fromEntries(request.headers), body });

    const countTokens = url.pathname.endsWith('/v1/messages/count_tokens');
    if (!countTokens && !url.pathname.endsWith('/v1/messages')) return errorResponse(404, 'not_found_error', 'Not Found', requestId);
    if (request.method !== 'POST') return errorResponse(405, 'invalid_request_error', `Method ${request.method} not allowed`, requestId);
    const key = request.headers.get('x-api-key') ?? request.headers.get('authorization')?.replace(/^Bearer /, '');
    if (key !== apiKey) return errorResponse(401, 'authentication_error', 'invalid x-api-key', requestId);
    if (request.headers.get('anthropic-version') === null) return invalid('anthropic-version: header is required');
    if (!isObject(body)) return invalid('There was an error parsing the body of your request');
    if (typeof body.model !== 'string' || body.model === '') return invalid('model: Field required');
    if (!Array.isArray(body.messages)) return invalid('messages: Field required');
    if (countTokens) {
      for (const field of ['max_tokens', 'stream', 'temperature', 'stop_sequences', 'metadata']) {
        if (field in body) return invalid(`${field}: Extra inputs are not permitted`);
      }
      return jsonResponse(200, { input_tokens: options.inputTokens ?? estimateTokens(body) }, { 'request-id': requestId });
    }
    if (typeof body.max_tokens !== 'number') return invalid('max_tokens: Field required');
    const foreign = options.signaturePrefix === undefined ? undefined : foreignSignature(body.messages, options.signaturePrefix);
    if (foreign !== undefined) return invalid(foreign);

    const reply = replies.shift();
    return reply === undefined ? happyReply(body, counter, requestId, options.signaturePrefix) : scriptedReply(reply, requestId);
  };

  return Object.assign(handle, {
    requests,
    enqueue: (...more: AnthropicReply[]) => {
      replies.push(...more);
    },
  });
};

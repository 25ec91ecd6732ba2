// A fast fake LLM upstream for the benchmarks: plain node:http, every answer pre-serialized once at
// start-up (only the request's stream flag is read per request). Speaks the four wire formats on
// their real paths, with the stream shapes of /work/shared/PROTOCOLS.md §2:
//   POST /v1/chat/completions                         OpenAI Chat Completions (data: lines, [DONE])
//   POST /v1/responses                                OpenAI Responses (event: + data:, sequence_number)
//   POST /v1/messages                                 Anthropic Messages (event: mandatory)
//   POST /v1beta/models/{m}:generateContent           Gemini (JSON)
//   POST /v1beta/models/{m}:streamGenerateContent     Gemini (?alt=sse, \r\n framing, cumulative usage)
// Options: chunks (text deltas per answer), chunkSize (characters per delta), delayMs (between SSE
// events; 0 = write them back to back). A model whose name ends in `-paced` streams with
// PACED_DELAY_MS between events whatever delayMs is (the bench's paced cases: a model's real pace).
// A model named `<model>-n<count>` (before any `-paced`) streams `count` text deltas instead of
// `chunks` (the stream-cost runs: CPU per event from a 20- and a 200-delta stream).
// Auth headers are accepted, not checked.
// Run in a worker thread (see startFakeUpstreamThread) so it never shares an event loop with the
// load generator.
import { createServer } from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const MODEL = 'bench-model';
export const PACED_SUFFIX = '-paced';
export const PACED_DELAY_MS = 2;
/** `-n200` in a model name: that many text deltas. */
export const countSuffix = (count) => `-n${count}`;
const COUNT_IN_MODEL = /-n(\d+)(?:-paced)?$/;
const WORDS = 'the quick brown fox jumps over a lazy dog while seven wizards quietly box jam ';
const textOf = (size, seed) => {
  let out = '';
  while (out.length < size + seed) out += WORDS;
  return out.slice(seed % WORDS.length, (seed % WORDS.length) + size);
};

const data = (payload) => `data: ${JSON.stringify(payload)}\n\n`;
const named = (payload) => `event: ${payload.type}\ndata: ${JSON.stringify(payload)}\n\n`;

/** Pre-serialized answers: { json: string, stream: string[] } per format (+ chat usage variant). */
export const buildPayloads = ({ chunks = 32, chunkSize = 16 } = {}) => {
  const pieces = Array.from({ length: chunks }, (_, i) => textOf(chunkSize, i * 7));
  const full = pieces.join('');
  const outputTokens = Math.max(1, Math.ceil(full.length / 4));
  const inputTokens = 12;

  // ── OpenAI Chat ─────────────────────────────────────────────────────────────────────────────
  const chatUsage = { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens };
  const env = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: MODEL, system_fingerprint: 'fp_bench' };
  const choice = (delta, finish = null) => ({ ...env, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const chatFrames = [
    data(choice({ role: 'assistant', content: '', refusal: null })),
    ...pieces.map((piece) => data(choice({ content: piece }))),
    data(choice({}, 'stop')),
  ];
  const chat = {
    json: JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion',
      created: 1700000000,
      model: MODEL,
      choices: [{ index: 0, message: { role: 'assistant', content: full, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
      usage: chatUsage,
      service_tier: 'default',
      system_fingerprint: 'fp_bench',
    }),
    stream: [...chatFrames, 'data: [DONE]\n\n'],
    streamWithUsage: [...chatFrames, data({ ...env, choices: [], usage: chatUsage }), 'data: [DONE]\n\n'],
  };

  // ── OpenAI Responses ────────────────────────────────────────────────────────────────────────
  const respUsage = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  };
  const part = { type: 'output_text', annotations: [], logprobs: [], text: full };
  const item = { id: 'msg_bench', type: 'message', status: 'completed', role: 'assistant', content: [part] };
  const responseObject = (status, output, usage) => ({
    id: 'resp_bench',
    object: 'response',
    created_at: 1700000000,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model: MODEL,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage,
    user: null,
    metadata: {},
  });
  const at = { item_id: 'msg_bench', output_index: 0 };
  const inProgress = responseObject('in_progress', [], null);
  const respEvents = [
    { type: 'response.created', response: inProgress },
    { type: 'response.in_progress', response: inProgress },
    { type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress', content: [] } },
    { type: 'response.content_part.added', ...at, content_index: 0, part: { ...part, text: '' } },
    ...pieces.map((piece) => ({ type: 'response.output_text.delta', ...at, content_index: 0, delta: piece, logprobs: [] })),
    { type: 'response.output_text.done', ...at, content_index: 0, text: full, logprobs: [] },
    { type: 'response.content_part.done', ...at, content_index: 0, part },
    { type: 'response.output_item.done', output_index: 0, item },
    { type: 'response.completed', response: responseObject('completed', [item], respUsage) },
  ].map((event, sequence_number) => named({ ...event, sequence_number }));
  const responses = { json: JSON.stringify(responseObject('completed', [item], respUsage)), stream: respEvents };

  // ── Anthropic Messages ──────────────────────────────────────────────────────────────────────
  const antUsage = { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: outputTokens };
  const message = { id: 'msg_bench', type: 'message', role: 'assistant', model: MODEL, content: [], stop_reason: null, stop_sequence: null };
  const anthropic = {
    json: JSON.stringify({ ...message, content: [{ type: 'text', text: full }], stop_reason: 'end_turn', usage: antUsage }),
    stream: [
      named({ type: 'message_start', message: { ...message, usage: { ...antUsage, output_tokens: 1 } } }),
      named({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      named({ type: 'ping' }),
      ...pieces.map((piece) => named({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } })),
      named({ type: 'content_block_stop', index: 0 }),
      named({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: outputTokens } }),
      named({ type: 'message_stop' }),
    ],
  };

  // ── Gemini ──────────────────────────────────────────────────────────────────────────────────
  const gemChunk = (parts, candidates, finish) => ({
    candidates: [{ content: { parts, role: 'model' }, ...(finish ? { finishReason: finish } : {}), index: 0 }],
    usageMetadata: { promptTokenCount: inputTokens, candidatesTokenCount: candidates, totalTokenCount: inputTokens + candidates },
    modelVersion: MODEL,
    responseId: 'bench-response',
  });
  const gemini = {
    json: JSON.stringify(gemChunk([{ text: full }], outputTokens, 'STOP')),
    stream: pieces.map(
      (piece, i) =>
        `data: ${JSON.stringify(gemChunk([{ text: piece }], Math.ceil(((i + 1) * outputTokens) / chunks), i === chunks - 1 ? 'STOP' : undefined))}\r\n\r\n`,
    ),
  };
  return { 'openai-chat': chat, 'openai-responses': responses, anthropic, gemini };
};

const JSON_HEADERS = { 'content-type': 'application/json', 'x-request-id': 'req_bench' };
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': 'req_bench' };

export const startFakeUpstream = ({ port = 0, chunks = 32, chunkSize = 16, delayMs = 0 } = {}) => {
  const buffersOf = (count) => {
    const bufs = {};
    for (const [format, p] of Object.entries(buildPayloads({ chunks: count, chunkSize }))) {
      bufs[format] = {
        json: Buffer.from(p.json),
        stream: p.stream.map((frame) => Buffer.from(frame)),
        streamWithUsage: p.streamWithUsage?.map((frame) => Buffer.from(frame)),
      };
    }
    return bufs;
  };
  const bySize = new Map([[chunks, buffersOf(chunks)]]);
  const buffersFor = (model) => {
    const count = Number(COUNT_IN_MODEL.exec(model)?.[1] ?? chunks);
    if (!bySize.has(count)) bySize.set(count, buffersOf(count));
    return bySize.get(count);
  };
  const counts = { requests: 0 };

  const sendStream = (res, frames, gapMs) => {
    res.writeHead(200, SSE_HEADERS);
    if (gapMs <= 0) {
      for (const frame of frames) res.write(frame);
      res.end();
      return;
    }
    let i = 0;
    const next = () => {
      if (res.destroyed) return;
      res.write(frames[i++]);
      if (i < frames.length) setTimeout(next, gapMs);
      else res.end();
    };
    next();
  };

  const server = createServer((req, res) => {
    const chunksIn = [];
    req.on('data', (chunk) => chunksIn.push(chunk));
    req.on('end', () => {
      counts.requests++;
      const url = req.url ?? '/';
      let format;
      let stream = false;
      let body;
      try {
        body = chunksIn.length === 0 ? {} : JSON.parse(Buffer.concat(chunksIn).toString('utf8'));
      } catch {
        body = {};
      }
      if (req.method !== 'POST') {
        res.writeHead(404, JSON_HEADERS).end('{"error":{"message":"not found"}}');
        return;
      }
      if (url.endsWith('/chat/completions')) format = 'openai-chat';
      else if (url.endsWith('/responses')) format = 'openai-responses';
      else if (url.endsWith('/messages')) format = 'anthropic';
      else if (url.includes(':streamGenerateContent')) (format = 'gemini'), (stream = true);
      else if (url.includes(':generateContent')) format = 'gemini';
      if (format === undefined) {
        res.writeHead(404, JSON_HEADERS).end('{"error":{"message":"not found"}}');
        return;
      }
      if (format !== 'gemini') stream = body?.stream === true;
      const model = format === 'gemini' ? decodeURIComponent(url.split('/models/')[1]?.split(':')[0] ?? '') : String(body?.model ?? '');
      const b = buffersFor(model)[format];
      if (!stream) {
        res.writeHead(200, { ...JSON_HEADERS, 'content-length': b.json.length });
        res.end(b.json);
        return;
      }
      const withUsage = format === 'openai-chat' && body?.stream_options?.include_usage === true;
      sendStream(res, withUsage ? b.streamWithUsage : b.stream, model.endsWith(PACED_SUFFIX) ? PACED_DELAY_MS : delayMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        port: address.port,
        counts,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      });
    }),
  );
};

/** Starts the fake in its own worker thread; resolves { url, close }. */
export const startFakeUpstreamThread = (options = {}) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { fakeUpstream: options } });
    worker.once('error', reject);
    worker.once('message', (message) => {
      resolve({
        url: message.url,
        port: message.port,
        close: async () => {
          worker.postMessage('close');
          await new Promise((done) => worker.once('exit', done));
        },
      });
    });
  });

if (!isMainThread && workerData?.fakeUpstream) {
  const fake = await startFakeUpstream(workerData.fakeUpstream);
  parentPort.postMessage({ url: fake.url, port: fake.port });
  parentPort.on('message', async (message) => {
    if (message === 'close') {
      await fake.close();
      process.exit(0);
    }
  });
}

/**
 * A fake Gemini API (generativelanguage.googleapis.com) speaking the real wire format, written by
 * hand from the API reference, not from the codec under test. Web APIs only, so it runs in workerd
 * and in Node. It checks the key and the path, records every request, and answers from a script:
 * a JSON body, a stream of chunk objects, a recorded `.chunks.txt` replay, or an error. With no
 * script it answers "happily": a functionCall when the request offers tools and the last user turn
 * is not a function response, else a short text.
 */
export type GeminiAction = 'generateContent' | 'streamGenerateContent' | 'countTokens';

export type GeminiScript =
  | { kind: 'json'; body: unknown }
  | { kind: 'stream'; chunks: unknown[] }
  /** A recorded `.chunks.txt`: one data payload per line. */
  | { kind: 'recorded'; text: string }
  | { kind: 'error'; status: number; message?: string; body?: unknown; headers?: Record<string, string> };

export interface RecordedGeminiRequest {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string>;
  body: unknown;
  model: string;
  action: GeminiAction;
}

export interface GeminiUpstreamOptions {
  apiKey?: string;
  /** Scripts answered in order, one per request; the happy default after they run out. */
  scripts?: GeminiScript[];
}

export type GeminiUpstream = ((request: Request) => Promise<Response>) & {
  requests: RecordedGeminiRequest[];
  /** Queues the answer to a later request. */
  script: (script: GeminiScript) => void;
};

export const FAKE_GEMINI_KEY = 'fake-gemini-key';
export const FAKE_GEMINI_SIGNATURE = 'ZmFrZS10aG91Z2h0LXNpZ25hdHVyZQ==';

const CANONICAL: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const PATH = /\/v1beta\/((?:models|tunedModels)\/[^/:]+):(generateContent|streamGenerateContent|countTokens)$/;

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=UTF-8', ...headers } });

const errorResponse = (status: number, message: string, details?: unknown[]): Response =>
  json({ error: { code: status, message, status: CANONICAL[status] ?? 'UNKNOWN', ...(details ? { details } : {}) } }, status);

const sse = (payloads: string[]): Response => {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const payload of payloads) controller.enqueue(encoder.encode(`data: ${payload}\r\n\r\n`));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } });
};

type JsonRecord = Record<string, unknown>;
const isRecord = (value: unknown): value is JsonRecord => value !== null && typeof value === 'object' && !Array.isArray(value);

const firstDeclaredFunction = (body: JsonRecord): string | undefined => {
  const tools = Array.isArray(body.tools) ? body.tools : [];
  for (const tool of tools) {
    const declarations = isRecord(tool) && Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations : [];
    const first = declarations.find((declaration) => isRecord(declaration) && typeof declaration.name === 'string');
    if (isRecord(first) && typeof first.name === 'string') return first.name;
  }
  return undefined;
};

const lastTurnAnswersACall = (body: JsonRecord): boolean => {
  const contents = Array.isArray(body.contents) ? body.contents : [];
  const last = contents[contents.length - 1];
  const parts = isRecord(last) && Array.isArray(last.parts) ? last.parts : [];
  return parts.some((part) => isRecord(part) && part.functionResponse !== undefined);
};

const promptTokens = (body: unknown): number => Math.max(1, Math.ceil(JSON.stringify(body).length / 4));

/** The happy answer as a list of chunks (one chunk = the whole non-stream answer). */
const happyChunks = (body: JsonRecord, model: string, streaming: boolean): JsonRecord[] => {
  const responseId = 'fake-response-1';
  const prompt = promptTokens(body.contents);
  const usage = (candidates: number) => ({ promptTokenCount: prompt, candidatesTokenCount: candidates, totalTokenCount: prompt + candidates });
  const chunkOf = (parts: JsonRecord[], candidates: number, finish?: string): JsonRecord => ({
    candidates: [{ content: { parts, role: 'model' }, ...(finish ? { finishReason: finish } : {}), index: 0 }],
    usageMetadata: usage(candidates),
    modelVersion: model,
    responseId,
  });
  const tool = firstDeclaredFunction(body);
  if (tool !== undefined && !lastTurnAnswersACall(body)) {
    return [chunkOf([{ functionCall: { name: tool, args: {} }, thoughtSignature: FAKE_GEMINI_SIGNATURE }], 5, 'STOP')];
  }
  if (!streaming) return [chunkOf([{ text: 'Hello from the fake Gemini upstream.' }], 8, 'STOP')];
  return [chunkOf([{ text: 'Hello from ' }], 3), chunkOf([{ text: 'the fake Gemini upstream.' }], 8), chunkOf([{ text: '' }], 8, 'STOP')];
};

const answer = (script: GeminiScript, streaming: boolean, alt: string | null): Response => {
  switch (script.kind) {
    case 'json':
      return json(script.body);
    case 'error':
      if (script.body !== undefined) return json(script.body, script.status, script.headers);
      return errorResponse(script.status, script.message ?? 'scripted error');
    case 'stream':
    case 'recorded': {
      const payloads =
        script.kind === 'stream'
          ? script.chunks.map((chunk) => JSON.stringify(chunk))
          : script.text.split(/\r?\n/).filter((line) => line.trim() !== '');
      // Without alt=sse the API streams one JSON array instead of SSE.
      if (streaming && alt !== 'sse') return json(payloads.map((payload) => JSON.parse(payload) as unknown));
      return sse(payloads);
    }
  }
};

export const createGeminiUpstream = (options: GeminiUpstreamOptions = {}): GeminiUpstream => {
  const apiKey = options.apiKey ?? FAKE_GEMINI_KEY;
  const queue: GeminiScript[] = [...(options.scripts ?? [])];
  const requests: RecordedGeminiRequest[] = [];

  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const match = PATH.exec(url.pathname);
    if (request.method !== 'POST' || match === null) return errorResponse(404, `Requested entity was not found: ${url.pathname}`);
    const key = request.headers.get('x-goog-api-key') ?? url.searchParams.get('key');
    if (key === null) return errorResponse(403, "Method doesn't allow unregistered callers (callers without established identity).");
    if (key !== apiKey) {
      return errorResponse(400, 'API key not valid. Please pass a valid API key.', [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
      ]);
    }
    let body: unknown;
    try {
      body = JSON.parse(await request.text());
    } catch {
      return errorResponse(400, 'Invalid JSON payload received.');
    }
    const model = (match[1] ?? '').replace(/^models\//, '');
    const action: GeminiAction =
      match[2] === 'countTokens' ? 'countTokens' : match[2] === 'streamGenerateContent' ? 'streamGenerateContent' : 'generateContent';
    requests.push({
      method: request.method,
      path: url.pathname,
      search: url.search,
      headers: Object.fromEntries(request.headers),
      body,
      model,
      action,
    });
    if (!isRecord(body)) return errorResponse(400, 'Invalid JSON payload received. Expected an object.');

    const script = queue.shift();
    const streaming = action === 'streamGenerateContent';
    if (script !== undefined) return answer(script, streaming, url.searchParams.get('alt'));
    if (action === 'countTokens') {
      const counted = isRecord(body.generateContentRequest) ? body.generateContentRequest : body;
      return json({ totalTokens: promptTokens([counted.contents, counted.systemInstruction, counted.tools]) });
    }
    const chunks = happyChunks(body, model, streaming);
    return answer(streaming ? { kind: 'stream', chunks } : { kind: 'json', body: chunks[0] }, streaming, url.searchParams.get('alt'));
  };

  return Object.assign(handler, { requests, script: (script: GeminiScript) => void queue.push(script) });
};

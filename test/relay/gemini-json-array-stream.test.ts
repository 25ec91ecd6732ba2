import { describe, expect, it } from 'vitest';
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY } from '../fakes/anthropic-upstream';
import { createGeminiUpstream, FAKE_GEMINI_KEY } from '../fakes/gemini-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addMockProvider, addProvider, createKey, jsonPost } from '../setup/seed';
import { streamFault } from './faults/fault-upstream';
import { FAST } from './faults/harness';
import { recordedStream } from './faults/wire';

type GeminiChunk = { candidates?: Array<{ content?: { parts?: Array<{ text?: string }> }; finishReason?: string }>; error?: { code: number; status: string } };

const textOf = (chunks: GeminiChunk[]): string =>
  chunks.map((chunk) => chunk.candidates?.[0]?.content?.parts?.map((part) => part.text ?? '').join('') ?? '').join('');

const streamWithoutAlt = (key: string, model: string): Promise<Response> =>
  jsonPost(`/v1beta/models/${model}:streamGenerateContent`, key, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });

/** The body as Google streams it without alt=sse: one JSON array, elements separated by ",\r\n". */
const readArray = async (response: Response): Promise<{ raw: string; chunks: GeminiChunk[] }> => {
  const raw = await response.text();
  return { raw, chunks: JSON.parse(raw) as GeminiChunk[] };
};

describe('Gemini :streamGenerateContent without alt=sse', () => {
  it('answers a JSON array streamed element by element (gemini upstream, passthrough)', async () => {
    const upstream = createGeminiUpstream();
    installFakeUpstreams({ 'http://gemini-array.fake': upstream });
    await addProvider({ id: 'gem-array', protocol: 'gemini', baseUrl: 'http://gemini-array.fake', apiKey: FAKE_GEMINI_KEY, models: ['array-gemini'] });
    const { key } = await createKey();

    const response = await streamWithoutAlt(key, 'array-gemini');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const { raw, chunks } = await readArray(response);
    expect(raw.startsWith('[{')).toBe(true);
    expect(raw.endsWith('}]')).toBe(true);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
    // Upstream still gets the SSE form, which the relay reads chunk by chunk.
    expect(upstream.requests[0]?.search).toContain('alt=sse');
  });

  it('translates another upstream format into the same array', async () => {
    installFakeUpstreams({ 'http://anthropic-array.fake': createAnthropicUpstream() });
    await addProvider({ id: 'ant-array', protocol: 'anthropic', baseUrl: 'http://anthropic-array.fake', apiKey: FAKE_ANTHROPIC_KEY, models: ['array-claude'] });
    const { key } = await createKey();

    const { chunks } = await readArray(await streamWithoutAlt(key, 'array-claude'));
    expect(textOf(chunks).length).toBeGreaterThan(0);
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
  });

  it('works with the built-in mock provider', async () => {
    await addMockProvider();
    const { key } = await createKey();
    const { chunks } = await readArray(await streamWithoutAlt(key, 'mock-echo'));
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBeDefined();
  });

  it('ends a stream cut mid-way with an error element and still a valid array', async () => {
    const recorded = recordedStream('gemini');
    installFakeUpstreams({ 'http://gemini-cut.fake': streamFault(recorded.frames.slice(0, recorded.firstContent + 1), 'reset') });
    await addProvider({ id: 'gem-cut', protocol: 'gemini', baseUrl: 'http://gemini-cut.fake', apiKey: FAKE_GEMINI_KEY, models: ['cut-gemini'], ...FAST });
    const { key } = await createKey();

    const { chunks } = await readArray(await streamWithoutAlt(key, 'cut-gemini'));
    expect(textOf(chunks).length).toBeGreaterThan(0);
    expect(chunks.at(-1)?.error?.code).toBeGreaterThanOrEqual(500);
  });

  it('keeps the SSE form when alt=sse is given', async () => {
    await addMockProvider();
    const { key } = await createKey();
    const response = await jsonPost(`/v1beta/models/mock-echo:streamGenerateContent?alt=sse`, key, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect((await response.text()).startsWith('data: {')).toBe(true);
  });
});

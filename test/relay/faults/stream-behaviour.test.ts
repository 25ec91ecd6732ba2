import { beforeEach, describe, expect, it } from 'vitest';
import type { WireFormat } from '../../../src/ir/format';
import { resetProviderHealth } from '../../../src/routing/provider-health';
import { installFakeUpstreams } from '../../setup/fake-network';
import { callRelay, createKey } from '../../setup/seed';
import { jsonFault, released, streamFault } from './fault-upstream';
import { callClient, healthyUpstream, provide, unique, usageRows } from './harness';
import { completedStream, FORMATS, otherFormat, overloadedBody, recordedStream } from './wire';

const ROUTES: Array<[WireFormat, WireFormat]> = FORMATS.flatMap((client): Array<[WireFormat, WireFormat]> => [
  [client, client],
  [client, otherFormat(client)],
]);

/** A phrase that sits inside one delta of each recorded stream (so translation keeps it whole). */
const MARKER: Record<WireFormat, string> = {
  'openai-chat': '_TOOL',
  'openai-responses': 'lookupCode',
  anthropic: 'thank you for asking',
  gemini: 'strawberry',
};

const readChunks = async (response: Response): Promise<{ text: string; chunks: number }> => {
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let chunks = 0;
  for (;;) {
    const result = await reader?.read();
    if (result === undefined || result.done) break;
    chunks += 1;
    text += decoder.decode(result.value, { stream: true });
  }
  return { text: text + decoder.decode(), chunks };
};

beforeEach(() => resetProviderHealth());

describe('client disconnect', () => {
  const cancelled: Array<{ requestId: string; client: WireFormat; upstream: WireFormat }> = [];
  it.each(ROUTES)('%s client, %s upstream: cancelling the reader releases the upstream within 1 s and records usage with aborted=true', async (client, upstream) => {
    const recorded = recordedStream(upstream);
    const bad = streamFault(recorded.frames.slice(0, recorded.firstContent + 1), 'hang');
    installFakeUpstreams({ 'http://hang.fake': bad });
    const model = unique('cancel');
    await provide({ id: unique('cancel-p'), format: upstream, origin: 'http://hang.fake', model, timeouts: { firstByteTimeoutMs: 5_000, idleTimeoutMs: 10_000 } });
    const { key } = await createKey();

    const response = await callClient(client, key, model, true);
    expect(response.status).toBe(200);
    const reader = response.body?.getReader();
    await reader?.read();
    const leftAt = Date.now();
    await reader?.cancel();
    // Well inside the 10 s idle timeout that would otherwise close it: the relay reads on only a moment
    // for the final usage (usage-after-disconnect.test.ts), and lets go within 1 s of the client leaving.
    expect(await released(bad.probe, 1_000 - (Date.now() - leftAt))).toBe(true);

    cancelled.push({ requestId: response.headers.get('x-request-id') ?? '', client, upstream });
  });

  it('recorded every cancelled request above with aborted=true and the usage seen so far', async () => {
    expect(cancelled.length).toBe(ROUTES.length);
    const rows = await usageRows(cancelled.map((entry) => entry.requestId));
    for (const { requestId, client, upstream } of cancelled) {
      const row = rows.get(requestId);
      expect(row).toMatchObject({ aborted: 1, client_format: client, upstream_format: upstream });
      // Anthropic and Gemini report input tokens before any content: what was seen is kept. The OpenAI
      // formats report usage only at the end: both counts are then estimated, and flagged as such.
      expect(Number(row?.input_tokens), `${client}<-${upstream}`).toBeGreaterThan(0);
      if (upstream === 'openai-chat' || upstream === 'openai-responses') expect(row, `${client}<-${upstream}`).toMatchObject({ usage_estimated: 1 });
    }
  });
});

describe('one-byte drip', () => {
  it.each(ROUTES)('%s client, %s upstream: arrives chunk by chunk and decodes exactly', async (client, upstream) => {
    const frames = recordedStream(upstream, upstream === 'gemini' ? '\r\n' : '\n').frames;
    installFakeUpstreams({ 'http://drip.fake': streamFault(frames, 'close', { drip: true }) });
    const model = unique('drip');
    await provide({ id: unique('drip-p'), format: upstream, origin: 'http://drip.fake', model });
    const { key } = await createKey();

    const response = await callClient(client, key, model, true);
    const { text, chunks } = await readChunks(response);
    expect(completedStream(client, text), text).toBe(true);
    if (client === upstream) expect(text).toBe(frames.join(''));
    else expect(text).toContain(MARKER[upstream]);
    expect(chunks).toBeGreaterThanOrEqual(3);
  });

  it('keeps multi-byte characters whole when their bytes arrive one at a time', async () => {
    const text = 'café ✓ 日本';
    const frames = [
      { type: 'message_start', message: { id: 'msg_d', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 4 } },
      { type: 'message_stop' },
    ].map((payload) => `event: ${payload.type}\ndata: ${JSON.stringify(payload)}\n\n`);
    installFakeUpstreams({ 'http://utf8.fake': streamFault(frames, 'close', { drip: true }) });
    const model = unique('utf8');
    await provide({ id: unique('utf8-p'), format: 'anthropic', origin: 'http://utf8.fake', model });
    const { key } = await createKey();
    for (const client of FORMATS) {
      const { text: out } = await readChunks(await callClient(client, key, model, true));
      expect(out, client).toContain(text);
    }
  });
});

/** An Anthropic stream of `deltas` text deltas, one frame each. */
const longAnthropicStream = (deltas: number): string[] =>
  [
    { type: 'message_start', message: { id: 'msg_long', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } } },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    ...Array.from({ length: deltas }, (_, i) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `w${i} ` } })),
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: deltas } },
    { type: 'message_stop' },
  ].map((payload) => `event: ${payload.type}\ndata: ${JSON.stringify(payload)}\n\n`);

describe('a slow client', () => {
  it.each(FORMATS)('%s client: pauses longer than the idle timeout while the relay holds unread upstream data, and the stream still completes', async (client) => {
    // Far more frames than one client write merges, so the relay is mid-stream, holding data, while the client sleeps.
    const frames = longAnthropicStream(300);
    installFakeUpstreams({ 'http://slow-reader.fake': streamFault(frames, 'close') });
    const model = unique('slow-reader');
    await provide({ id: unique('slow-reader-p'), format: 'anthropic', origin: 'http://slow-reader.fake', model });
    const { key } = await createKey();

    const response = await callClient(client, key, model, true);
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let reads = 0;
    for (;;) {
      const result = await reader?.read();
      if (result === undefined || result.done) break;
      text += decoder.decode(result.value, { stream: true });
      // Two pauses of three idle timeouts each (FAST: 200 ms).
      if (++reads <= 2) await new Promise((resolve) => setTimeout(resolve, 600));
    }
    expect(completedStream(client, text), text.slice(-400)).toBe(true);
    expect(text).not.toContain('sent nothing');
    expect(text).toContain('w299 ');
    if (client === 'anthropic') expect(text).toBe(frames.join(''));
  });
});

describe('holding the response until the first content event', () => {
  it.each(FORMATS)('%s: adds no time to the first content byte', async (format) => {
    const recorded = recordedStream(format);
    let contentSentAt = 0;
    const gapMs = 150;
    const chunks = recorded.frames.map((frame) => new TextEncoder().encode(frame));
    const upstream = async (request: Request) => {
      await request.text();
      let index = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (index === recorded.firstContent) {
            await new Promise((resolve) => setTimeout(resolve, gapMs));
            contentSentAt = Date.now();
          }
          const chunk = chunks[index++];
          if (chunk === undefined) controller.close();
          else controller.enqueue(chunk);
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    };
    installFakeUpstreams({ 'http://ttfb.fake': upstream });
    const model = unique('ttfb');
    await provide({ id: unique('ttfb-p'), format, origin: 'http://ttfb.fake', model });
    const { key } = await createKey();

    const started = Date.now();
    const response = await callClient(format, key, model, true);
    const reader = response.body?.getReader();
    await reader?.read();
    const firstByteAt = Date.now();
    await reader?.cancel();
    const overheadMs = firstByteAt - contentSentAt;
    console.log(JSON.stringify({ measure: 'first content byte after upstream content', format, overheadMs, ttfbMs: firstByteAt - started, upstreamContentMs: contentSentAt - started }));
    expect(overheadMs).toBeLessThan(50);
  });
});

describe('quota stays right', () => {
  const remaining = async (key: string): Promise<number> => {
    const response = await callRelay('/v1/usage?days=1', { headers: { authorization: `Bearer ${key}` } });
    const body = (await response.json()) as { quota: { fiveHour: { remaining: number } } };
    return body.quota.fiveHour.remaining;
  };
  const settle = async (key: string, expected: number): Promise<number> => {
    let value = await remaining(key);
    for (let i = 0; i < 50 && value !== expected; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      value = await remaining(key);
    }
    return value;
  };

  it('refunds failures before the first byte and upstream deaths mid-stream; counts successes and client disconnects', async () => {
    const recorded = recordedStream('openai-chat');
    const good = healthyUpstream('openai-chat');
    installFakeUpstreams({
      'http://reset.fake': streamFault(recorded.frames.slice(0, recorded.firstContent + 2), 'reset'),
      'http://down.fake': jsonFault(503, overloadedBody('openai-chat')),
      'http://good.fake': good.handler,
    });
    const [dies, fails, works] = [unique('q-dies'), unique('q-fails'), unique('q-works')];
    await provide({ id: unique('q-reset'), format: 'openai-chat', origin: 'http://reset.fake', model: dies });
    await provide({ id: unique('q-down'), format: 'openai-chat', origin: 'http://down.fake', model: fails });
    await provide({ id: unique('q-good'), format: 'openai-chat', origin: 'http://good.fake', model: works, apiKey: good.apiKey });
    const { key } = await createKey({ plan: 'free', quotaOverrides: { requestsPer5h: 10 } });

    const died = await callClient('openai-chat', key, dies, true);
    expect(died.headers.get('x-ratelimit-remaining')).toBe('9');
    await died.text();
    expect(await settle(key, 10)).toBe(10);

    const failed = await callClient('openai-chat', key, fails, true);
    expect(failed.status).toBe(503);
    expect(await settle(key, 10)).toBe(10);

    const worked = await callClient('openai-chat', key, works, true);
    expect(worked.headers.get('x-ratelimit-remaining')).toBe('9');
    await worked.text();
    expect(await settle(key, 9)).toBe(9);
  });
});

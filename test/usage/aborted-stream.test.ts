import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { addMockProvider, createKey } from '../setup/seed';
import { callStreaming, eventually } from './harness';

interface StoredEvent {
  stream: number;
  aborted: number;
  status: number;
  input_tokens: number;
}

it('records a stream the client aborted, marked aborted, with what was seen', async () => {
  await addMockProvider();
  const key = await createKey();
  // Anthropic's message_start carries the input count, so an abort after the first chunk has seen it.
  const response = await callStreaming('/v1/messages', {
    method: 'POST',
    headers: { 'x-api-key': key.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'mock-1',
      max_tokens: 200,
      stream: true,
      messages: [{ role: 'user', content: 'a long enough prompt for several streamed words to follow' }],
    }),
  });
  expect(response.status).toBe(200);
  const reader = (response.body ?? new ReadableStream<Uint8Array>()).getReader();
  const first = await reader.read();
  expect(first.done).toBe(false);
  await reader.cancel('client went away');

  const event = await eventually(
    async () => (await env.DB.prepare('SELECT stream, aborted, status, input_tokens FROM usage_events WHERE key_id = ?1').bind(key.id).first<StoredEvent>()) ?? undefined,
  );
  expect(event).toMatchObject({ stream: 1, aborted: 1, status: 200 });
  expect(event.input_tokens).toBeGreaterThan(0);
});

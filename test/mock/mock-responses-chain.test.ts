import { expect, it } from 'vitest';
import { addMockProvider, createKey, jsonPost } from '../setup/seed';

type ResponsesObject = { id: string; output: Array<{ type: string; content?: Array<{ text?: string }> }> };

it('a Responses client chains previous_response_id on the mock, as on any upstream', async () => {
  await addMockProvider();
  const { key } = await createKey();
  const first = await jsonPost('/v1/responses', key, { model: 'mock-1', input: 'remember the word heliotrope' });
  expect(first.status).toBe(200);
  const firstBody = (await first.json()) as ResponsesObject;
  const second = await jsonPost('/v1/responses', key, { model: 'mock-1', previous_response_id: firstBody.id, input: 'and now?' });
  expect(second.status).toBe(200);
  const streamed = await jsonPost('/v1/responses', key, { model: 'mock-1', previous_response_id: ((await second.json()) as ResponsesObject).id, input: 'once more', stream: true });
  expect(streamed.status).toBe(200);
  expect(await streamed.text()).toContain('"type":"response.completed"');
});

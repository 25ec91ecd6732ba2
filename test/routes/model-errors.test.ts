import { describe, expect, it } from 'vitest';
import { addMockProvider, callRelay, createKey, jsonPost } from '../setup/seed';

/**
 * A model the key may not use (403) and a model nothing serves (404) are one error each, whatever
 * the endpoint: generation, token counting and the model lookups answer them with the same fields.
 */
const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'hi' }] });
const responsesCount = (model: string) => ({ model, input: 'hi' });

const get = (path: string, key: string): Promise<Response> => callRelay(path, { headers: { authorization: `Bearer ${key}` } });

const errorOf = async (response: Response): Promise<unknown> => ((await response.json()) as { error: unknown }).error;

describe('model errors', () => {
  it('a model the key may not use is the same 403 on generation and token counting', async () => {
    await addMockProvider();
    const { key } = await createKey({ models: ['mock-other'] });
    const generation = await jsonPost('/v1/chat/completions', key, chat('mock-1'));
    const counting = await jsonPost('/v1/responses/input_tokens', key, responsesCount('mock-1'));
    expect([generation.status, counting.status]).toEqual([403, 403]);
    const expected = { message: 'this API key may not use model "mock-1"', type: 'permission_error', param: 'model', code: 'model_not_allowed' };
    expect(await errorOf(generation)).toEqual(expected);
    expect(await errorOf(counting)).toEqual(expected);
  });

  it('a model nothing serves is the same 404 on generation, token counting and the model lookups', async () => {
    await addMockProvider();
    const { key } = await createKey();
    const answers = [
      await jsonPost('/v1/chat/completions', key, chat('no-such-model')),
      await jsonPost('/v1/responses/input_tokens', key, responsesCount('no-such-model')),
      await get('/v1/models/no-such-model', key),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404]);
    const expected = {
      message: 'The model "no-such-model" does not exist or is not served by this relay',
      type: 'invalid_request_error',
      param: 'model',
      code: 'model_not_found',
    };
    for (const answer of answers) expect(await errorOf(answer)).toEqual(expected);
    const gemini = await callRelay('/v1beta/models/no-such-model', { headers: { 'x-goog-api-key': key } });
    expect(gemini.status).toBe(404);
    expect(await errorOf(gemini)).toMatchObject({ code: 404, status: 'NOT_FOUND', message: expected.message });
  });
});

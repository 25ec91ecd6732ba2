import { describe, expect, it } from 'vitest';
import { isWellFormedKey } from '../../src/auth/key-shape';
import { addMockProvider, createKey } from '../setup/seed';
import { AGENTS, ANTHROPIC, callRelay, chatBody, createAgentKey, errorBody, getModels, jsonPost, messagesBody, responsesBody } from './helpers';

describe('agent keys only on the agent API, inference keys only off it', () => {
  it('issues agent keys as KEY_PREFIX + "agent-…", well formed and found by hash', async () => {
    const created = await createAgentKey();
    expect(created.key.startsWith('sk-relay-agent-')).toBe(true);
    expect(isWellFormedKey(created.key, 'sk-relay-')).toBe(true);
    expect((created as unknown as { kind: string }).kind).toBe('agent');
    const response = await getModels(`${AGENTS}/models`, created.key);
    expect(response.status).toBe(200);
    const listed = (await response.json()) as { data: Array<{ id: string }> };
    expect(listed.data.some((model) => model.id === 'mock-*')).toBe(true);
  });

  it('serves chat completions, responses and messages to an agent key, with the quota headers the agents read', async () => {
    const { key } = await createAgentKey();
    const chat = await jsonPost(`${AGENTS}/chat/completions`, key, chatBody());
    expect(chat.status).toBe(200);
    expect(((await chat.json()) as { object: string }).object).toBe('chat.completion');
    const responses = await jsonPost(`${AGENTS}/responses`, key, responsesBody());
    expect(responses.status).toBe(200);
    expect(responses.headers.get('x-codex-primary-window-minutes')).toBe('300');
    expect(((await responses.json()) as { object: string }).object).toBe('response');
    const messages = await jsonPost(`${AGENTS}/messages`, key, messagesBody(), ANTHROPIC);
    expect(messages.status).toBe(200);
    expect(messages.headers.get('anthropic-ratelimit-unified-status')).toBe('allowed');
    expect(((await messages.json()) as { type: string }).type).toBe('message');
    // Where the Anthropic SDK lands when its base URL is the agent API.
    const sdkPath = await jsonPost(`${AGENTS}/v1/messages`, key, messagesBody(), ANTHROPIC);
    expect(sdkPath.status).toBe(200);
    await sdkPath.body?.cancel();
  });

  it('streams on the agent API like on /v1', async () => {
    const { key } = await createAgentKey();
    const response = await jsonPost(`${AGENTS}/chat/completions`, key, { ...chatBody(), stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(await response.text()).toContain('data: [DONE]');
  });

  it('answers the legacy /api/chat-agent/v1 path the same way', async () => {
    const { key } = await createAgentKey();
    expect((await getModels('/api/chat-agent/v1/models', key)).status).toBe(200);
    const chat = await jsonPost('/api/chat-agent/v1/chat/completions', key, chatBody());
    expect(chat.status).toBe(200);
    await chat.body?.cancel();
    const { key: inference } = await createKey({ plan: 'pro' });
    const refused = await jsonPost('/api/chat-agent/v1/responses', inference, responsesBody());
    expect(refused.status).toBe(403);
    expect((await errorBody(refused)).error.code).toBe('agent_key_required');
  });

  it('refuses an inference key on the agent API with agent_key_required, in each format', async () => {
    await addMockProvider();
    const { key } = await createKey({ plan: 'pro' });
    for (const [path, body] of [
      ['/chat/completions', chatBody()],
      ['/responses', responsesBody()],
    ] as const) {
      const response = await jsonPost(`${AGENTS}${path}`, key, body);
      expect(response.status, path).toBe(403);
      const error = await errorBody(response);
      expect(error.error).toMatchObject({ type: 'permission_error', code: 'agent_key_required' });
    }
    const models = await getModels(`${AGENTS}/models`, key);
    expect(models.status).toBe(403);
    expect((await errorBody(models)).error.code).toBe('agent_key_required');
    const messages = await jsonPost(`${AGENTS}/messages`, key, messagesBody(), ANTHROPIC);
    expect(messages.status).toBe(403);
    const anthropic = (await messages.json()) as { type: string; error: { type: string; message: string } };
    expect(anthropic.type).toBe('error');
    expect(anthropic.error.type).toBe('permission_error');
    expect(anthropic.error.message).toContain('agent keys only');
  });

  it('refuses an agent key on /v1, every alias, count_tokens, images and usage with inference_key_required', async () => {
    const { key } = await createAgentKey({ scopes: ['chat', 'images'] });
    const openai = [
      ['/v1/chat/completions', chatBody()],
      ['/openai/v1/chat/completions', chatBody()],
      ['/v1/responses', responsesBody()],
      ['/api.openai.com/v1/responses', responsesBody()],
      ['/v1/responses/input_tokens', responsesBody()],
      ['/v1/images/generations', { model: 'mock-image', prompt: 'a cat' }],
    ] as const;
    for (const [path, body] of openai) {
      const response = await jsonPost(path, key, body);
      expect(response.status, path).toBe(403);
      expect((await errorBody(response)).error.code, path).toBe('inference_key_required');
    }
    for (const path of ['/v1/models', '/openai/v1/models', '/v1/usage']) {
      const response = await getModels(path, key);
      expect(response.status, path).toBe(403);
      expect((await errorBody(response)).error.code, path).toBe('inference_key_required');
    }
    for (const path of ['/v1/messages', '/anthropic/v1/messages', '/v1/messages/count_tokens']) {
      const response = await jsonPost(path, key, messagesBody(), ANTHROPIC);
      expect(response.status, path).toBe(403);
      const anthropic = (await response.json()) as { type: string; error: { type: string; message: string } };
      expect(anthropic.error.type, path).toBe('permission_error');
      expect(anthropic.error.message, path).toContain('/api/v1/agents');
    }
    const gemini = await jsonPost('/v1beta/models/mock-agent:generateContent', key, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
    expect(gemini.status).toBe(403);
    const geminiError = await errorBody(gemini);
    expect(geminiError.error.status).toBe('PERMISSION_DENIED');
    expect(geminiError.error.message).toContain('/api/v1/agents');
  });

  it('refuses an agent key on the Responses WebSocket handshake', async () => {
    const { key } = await createAgentKey();
    const response = await callRelay('/v1/responses', { headers: { upgrade: 'websocket', authorization: `Bearer ${key}` } });
    expect(response.status).toBe(403);
    expect((await errorBody(response)).error.code).toBe('inference_key_required');
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { wrapSignature } from '../../src/protocols/signature';
import { FAKE_ANTHROPIC_KEY } from '../fakes/anthropic-upstream';
import { FAKE_OPENAI_CHAT_KEY } from '../fakes/openai-chat-upstream';
import { addProvider, callRelay, jsonPost } from '../setup/seed';
import { readSse, UPSTREAM_FORMATS, useAgentUpstreams } from './harness';

/**
 * What agents send next: Claude Code's SDK (stream-json) mode body, Codex's newest Responses
 * fields, a Claude Code conversation that switched models, and routes with per-model limits.
 */
const upstreams = useAgentUpstreams('sw');

beforeAll(async () => {
  // Routes with limits, served by the same fake upstreams as the harness's own models.
  await addProvider({
    id: 'sw-limited-anthropic',
    protocol: 'anthropic',
    baseUrl: 'http://sw-anthropic.fake',
    apiKey: FAKE_ANTHROPIC_KEY,
    models: [{ name: 'sw-claude-small', upstream: 'claude-small', maxOutputTokens: 8192 }],
  });
  await addProvider({
    id: 'sw-limited-chat',
    protocol: 'openai-chat',
    baseUrl: 'http://sw-openai-chat.fake/v1',
    apiKey: FAKE_OPENAI_CHAT_KEY,
    models: [{ name: 'sw-o3', upstream: 'o3-mini', maxOutputTokens: 16000 }],
  });
});

const claudeCode = (body: unknown) =>
  callRelay('/v1/messages?beta=true', {
    method: 'POST',
    headers: { 'x-api-key': upstreams.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** Claude Code 2.1.331 in SDK / stream-json mode (`claude -p --output-format stream-json`). */
const sdkModeTurn = (model: string, messages: unknown[]) => ({
  model,
  max_tokens: 32000,
  stream: true,
  thinking: { type: 'adaptive', display: 'updates' },
  output_config: { effort: 'high' },
  context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  metadata: { user_id: JSON.stringify({ device_id: 'd'.repeat(64), session_id: 's' }) },
  system: [
    { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.331; cc_entrypoint=sdk-cli' },
    { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } },
  ],
  tools: [{ name: 'Bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } }],
  messages,
});

describe.each(UPSTREAM_FORMATS)('Claude Code SDK mode → %s upstream', (format) => {
  it('answers thinking.display "updates" with a stream, never a 400', async () => {
    const response = await claudeCode(sdkModeTurn(upstreams.model(format), [{ role: 'user', content: 'Say hello' }]));
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(readSse(text).some((frame) => frame.event === 'message_stop')).toBe(true);
  });
});

describe('Claude Code conversation that switched models', () => {
  it('reaches an Anthropic upstream (passthrough) without Gemini-minted thinking, thinking off for that step, max_tokens within the model ceiling', async () => {
    const geminiThinking = { type: 'thinking', thinking: '', signature: wrapSignature({ origin: 'gemini', placement: 'fc', value: 'CiQgemini' }, 'anthropic') };
    const toolUse = { type: 'tool_use', id: 'call_g_1', name: 'Bash', input: { command: 'ls' } };
    const response = await claudeCode(
      sdkModeTurn('sw-claude-small', [
        { role: 'user', content: 'List the files' },
        { role: 'assistant', content: [geminiThinking, toolUse] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_g_1', content: 'a.txt', cache_control: { type: 'ephemeral' } }] },
      ]),
    );
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const sent = upstreams.sent('anthropic')[0] ?? {};
    expect(sent.model).toBe('claude-small');
    expect(sent.max_tokens).toBe(8192);
    expect(JSON.stringify(sent)).not.toContain('prx1:');
    expect(sent).not.toHaveProperty('thinking');
    expect(sent.messages).toEqual([
      { role: 'user', content: 'List the files' },
      { role: 'assistant', content: [toolUse] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_g_1', content: 'a.txt', cache_control: { type: 'ephemeral' } }] },
    ]);
    // The client's own display value still reaches Anthropic untouched (it knows its own enums).
    expect(sent.context_management).toBeDefined();
  });
});

describe('OpenAI reasoning models behind a route with limits', () => {
  it('get max_completion_tokens, clamped, on Chat passthrough', async () => {
    const response = await jsonPost('/v1/chat/completions', upstreams.key, { model: 'sw-o3', max_tokens: 32000, messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status, await response.text()).toBe(200);
    const sent = upstreams.sent('openai-chat')[0] ?? {};
    expect(sent).toMatchObject({ model: 'o3-mini', max_completion_tokens: 16000 });
    expect(sent).not.toHaveProperty('max_tokens');
  });

  it('get max_completion_tokens, clamped, when translated from Claude Code', async () => {
    const response = await claudeCode({ ...sdkModeTurn('sw-o3', [{ role: 'user', content: 'hi' }]) });
    expect(response.status, await response.text()).toBe(200);
    const sent = upstreams.sent('openai-chat')[0] ?? {};
    expect(sent).toMatchObject({ model: 'o3-mini', max_completion_tokens: 16000, reasoning_effort: 'high' });
    expect(sent).not.toHaveProperty('max_tokens');
  });
});

describe.each(UPSTREAM_FORMATS)("Codex's newest Responses fields → %s upstream", (format) => {
  it('are accepted without a 400', async () => {
    const response = await jsonPost('/v1/responses', upstreams.key, {
      model: upstreams.model(format),
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Say hello' }] },
      ],
      tools: [{ type: 'function', name: 'exec_command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } }, strict: false }],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      reasoning: { effort: 'xhigh', summary: 'auto', context: 'all_turns', mode: 'standard' },
      text: { verbosity: 'medium' },
      include: ['reasoning.encrypted_content'],
      store: false,
      stream: true,
      service_tier: 'priority',
      prompt_cache_key: '0199a0f1-3c7e-7d52-9c2e-8f3b1a2c4d5e',
      prompt_cache_retention: '24h',
      prompt_cache_options: { mode: 'implicit' },
      context_management: [{ type: 'compaction', compact_threshold: 200000 }],
      stream_options: { include_obfuscation: false },
      max_tool_calls: 50,
      truncation: 'auto',
      client_metadata: { session_id: 's' },
    });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(readSse(text).at(-1)?.event).toBe('response.completed');
  });
});

import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY } from '../fakes/anthropic-upstream';
import { createGeminiUpstream, FAKE_GEMINI_KEY } from '../fakes/gemini-upstream';
import { createOpenAIChatUpstream, FAKE_OPENAI_CHAT_KEY } from '../fakes/openai-chat-upstream';
import { createOpenAIResponsesUpstream, FAKE_OPENAI_RESPONSES_KEY } from '../fakes/openai-responses-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addProvider, callRelay, createKey, jsonPost } from '../setup/seed';

/** Upstreams of every format behind one model name each, as an operator would configure them. */
let key = '';
beforeEach(() => {
  installFakeUpstreams({
    'http://chat.fake': createOpenAIChatUpstream(),
    'http://responses.fake': createOpenAIResponsesUpstream(),
    'http://anthropic.fake': createAnthropicUpstream(),
    'http://gemini.fake': createGeminiUpstream(),
  });
});
beforeAll(async () => {
  await addProvider({ id: 'ag-chat', protocol: 'openai-chat', baseUrl: 'http://chat.fake/v1', apiKey: FAKE_OPENAI_CHAT_KEY, models: ['ag-chat'] });
  await addProvider({ id: 'ag-resp', protocol: 'openai-responses', baseUrl: 'http://responses.fake/v1', apiKey: FAKE_OPENAI_RESPONSES_KEY, models: ['ag-resp'] });
  await addProvider({ id: 'ag-ant', protocol: 'anthropic', baseUrl: 'http://anthropic.fake', apiKey: FAKE_ANTHROPIC_KEY, models: ['ag-ant'] });
  await addProvider({ id: 'ag-gem', protocol: 'gemini', baseUrl: 'http://gemini.fake', apiKey: FAKE_GEMINI_KEY, models: ['ag-gem'] });
  key = (await createKey()).key;
});

const schema2020 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: { command: { type: 'string' }, timeout: { type: 'number', exclusiveMinimum: 0, default: 120000 }, paths: { type: 'array', items: { type: 'string' }, maxItems: 5 } },
  required: ['command'],
};

/** The shape of Claude Code's first turn (2.1, as observed on the wire), trimmed to what matters for translation. */
const claudeCodeTurn = (model: string) => ({
  model,
  max_tokens: 32000,
  stream: true,
  thinking: { type: 'adaptive', display: 'omitted' },
  output_config: { effort: 'medium' },
  context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  metadata: { user_id: JSON.stringify({ device_id: 'd', session_id: 's' }) },
  system: [
    { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } },
    { type: 'text', text: 'Environment: linux', cache_control: { type: 'ephemeral' } },
  ],
  messages: [
    { role: 'system', content: 'Today is Tuesday.' },
    { role: 'user', content: [{ type: 'text', text: '<system-reminder>ctx</system-reminder>' }, { type: 'text', text: 'List the files', cache_control: { type: 'ephemeral' } }] },
  ],
  tools: [
    { name: 'Bash', description: 'Run a shell command', input_schema: schema2020 },
    { name: 'DeferredToolPlaceholder', description: 'deferred', input_schema: { type: 'object' }, defer_loading: true },
  ],
});

/** The shape of a Codex CLI turn (0.169, as observed on the wire). */
const codexTurn = (model: string) => ({
  model,
  stream: true,
  store: false,
  tool_choice: 'auto',
  parallel_tool_calls: true,
  reasoning: { summary: 'auto' },
  include: ['reasoning.encrypted_content'],
  prompt_cache_key: 'thread-1',
  client_metadata: { session: 's' },
  input: [
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'List the files' }] },
  ],
  tools: [
    { type: 'function', name: 'exec_command', description: 'Run', strict: false, parameters: { type: 'object', properties: { cmd: { type: 'string' }, workdir: { type: 'string' } }, required: ['cmd'] } },
    { type: 'namespace', name: 'mcp__docs__', description: 'Docs', tools: [{ type: 'function', name: 'search', description: 'Search', strict: false, parameters: { type: 'object', properties: { q: { type: 'string' } } } }] },
    { type: 'web_search' },
  ],
});

describe.each(['ag-chat', 'ag-resp', 'ag-gem', 'ag-ant'])('Claude Code turn → %s', (model) => {
  it('streams a tool call back in Anthropic SSE', async () => {
    const response = await callRelay('/v1/messages?beta=true', {
      method: 'POST',
      headers: {
        'x-api-key': key,
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27',
        'x-app': 'cli',
        'content-type': 'application/json',
      },
      body: JSON.stringify(claudeCodeTurn(model)),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text.startsWith('event: message_start\n')).toBe(true);
    expect(text).toContain('"type":"tool_use"');
    expect(text).toContain('"stop_reason":"tool_use"');
    expect(text.trimEnd().endsWith('data: {"type":"message_stop"}')).toBe(true);
  });
});

describe.each(['ag-chat', 'ag-ant', 'ag-gem', 'ag-resp'])('Codex CLI turn → %s', (model) => {
  it('streams a function call back as Responses events ending in response.completed', async () => {
    const response = await jsonPost('/v1/responses', key, codexTurn(model), { originator: 'codex_cli_rs' });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text.startsWith('event: response.created\n')).toBe(true);
    expect(text).toContain('"type":"function_call"');
    expect(text).toContain('event: response.output_item.done');
    expect(text).toMatch(/event: response\.completed\ndata: .*"usage":\{/);
  });
});

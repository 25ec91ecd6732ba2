import { describe, expect, it } from 'vitest';
import { FAKE_GEMINI_SIGNATURE } from '../fakes/gemini-upstream';
import { callRelay } from '../setup/seed';
import { asRecord, echoedByUpstream, readSse, responsesReasoningThenCall, UPSTREAM_FORMATS, useAgentUpstreams } from './harness';
import type { SseFrame } from './harness';

/**
 * Claude Code (as observed on the wire, 2.1) against every upstream format: the exact request shapes it sends —
 * `?beta=true`, the beta header list, adaptive thinking with `display:"omitted"`, three cached
 * system blocks, a `role:"system"` message, JSON-Schema-2020 tools plus a deferred one, metadata
 * with a JSON user id — through a whole tool loop, plus its count_tokens and haiku side requests.
 */
const upstreams = useAgentUpstreams('cc');

const HEADERS = {
  'anthropic-version': '2023-06-01',
  'anthropic-beta':
    'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,effort-2025-11-24,advanced-tool-use-2025-11-20',
  'anthropic-dangerous-direct-browser-access': 'true',
  'x-app': 'cli',
  'x-claude-code-session-id': '6f2c7a52-3d59-4d0a-9c61-2f9f0b3c1a11',
  'x-stainless-lang': 'js',
  'x-stainless-retry-count': '0',
  'accept-encoding': 'gzip, deflate, br, zstd',
  'content-type': 'application/json',
};

const post = (path: string, body: unknown, auth: 'x-api-key' | 'bearer' = 'x-api-key') =>
  callRelay(path, {
    method: 'POST',
    headers: { ...HEADERS, ...(auth === 'x-api-key' ? { 'x-api-key': upstreams.key } : { authorization: `Bearer ${upstreams.key}` }) },
    body: JSON.stringify(body),
  });

const bashSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    command: { type: 'string', description: 'The command to execute' },
    timeout: { type: 'number', exclusiveMinimum: 0, maximum: 600000, default: 120000 },
    description: { type: 'string', pattern: '^.{1,200}$' },
    paths: { type: 'array', items: { type: 'string' }, maxItems: 5 },
  },
  required: ['command'],
};

const TOOLS = [
  { name: 'Bash', description: 'Executes a given bash command', input_schema: bashSchema },
  {
    name: 'Read',
    description: 'Reads a file',
    input_schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      properties: { file_path: { type: 'string' }, offset: { type: 'integer', minimum: 0 }, limit: { type: 'integer', exclusiveMinimum: 0 } },
      required: ['file_path'],
    },
  },
  {
    name: 'DeferredToolPlaceholder',
    description: 'Deferred tools are loaded on demand',
    input_schema: { type: 'object', properties: {} },
    defer_loading: true,
    cache_control: { type: 'ephemeral' },
  },
];

const SYSTEM = [
  { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.331; cc_entrypoint=cli' },
  { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } },
  { type: 'text', text: 'You are an interactive CLI tool. Environment: linux.', cache_control: { type: 'ephemeral', ttl: '1h' } },
];

const firstUserTurn = {
  role: 'user',
  content: [
    { type: 'text', text: '<system-reminder>As you answer, use the following context: claudeMd…</system-reminder>' },
    { type: 'text', text: 'List the files in this directory', cache_control: { type: 'ephemeral' } },
  ],
};

const turn = (model: string, messages: unknown[], extra: Record<string, unknown> = {}) => ({
  model,
  max_tokens: 32000,
  stream: true,
  thinking: { type: 'adaptive', display: 'omitted' },
  output_config: { effort: 'medium' },
  context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  metadata: { user_id: JSON.stringify({ device_id: 'a'.repeat(64), account_uuid: '', session_id: '6f2c7a52-3d59-4d0a-9c61-2f9f0b3c1a11' }) },
  system: SYSTEM,
  tools: TOOLS,
  messages,
  ...extra,
});

interface AnthropicBlock {
  type: string;
  [field: string]: unknown;
}

/** Rebuilds the assistant message from Anthropic SSE, as Claude Code's MessageStream does. */
const assemble = (frames: SseFrame[]) => {
  const blocks: AnthropicBlock[] = [];
  const json: string[] = [];
  let stopReason: unknown;
  let usage: Record<string, unknown> = {};
  for (const { data } of frames) {
    if (data.type === 'message_start') usage = { ...asRecord(asRecord(data.message).usage) };
    if (data.type === 'content_block_start') {
      blocks[Number(data.index)] = { ...(asRecord(data.content_block) as AnthropicBlock) };
      json[Number(data.index)] = '';
    }
    if (data.type === 'content_block_delta') {
      const block = blocks[Number(data.index)];
      const delta = asRecord(data.delta);
      if (block === undefined) throw new Error(`delta for unopened block ${String(data.index)}`);
      if (delta.type === 'text_delta') block.text = String(block.text) + String(delta.text);
      if (delta.type === 'thinking_delta') block.thinking = String(block.thinking) + String(delta.thinking);
      if (delta.type === 'signature_delta') block.signature = delta.signature;
      if (delta.type === 'input_json_delta') json[Number(data.index)] += String(delta.partial_json);
    }
    if (data.type === 'content_block_stop') {
      const block = blocks[Number(data.index)];
      if (block?.type === 'tool_use') block.input = JSON.parse(json[Number(data.index)] || '{}') as unknown;
    }
    if (data.type === 'message_delta') {
      stopReason = asRecord(data.delta).stop_reason;
      usage = { ...usage, ...asRecord(data.usage) };
    }
  }
  return { blocks, stopReason, usage };
};

const expectWellFormedStream = (frames: SseFrame[]) => {
  for (const frame of frames) expect(frame.event).toBe(frame.data.type);
  expect(frames[0]?.event).toBe('message_start');
  expect(frames.at(-1)?.event).toBe('message_stop');
  expect(frames.filter((frame) => frame.event === 'error')).toEqual([]);
  const starts = frames.filter((frame) => frame.event === 'content_block_start').map((frame) => frame.data.index);
  const stops = frames.filter((frame) => frame.event === 'content_block_stop').map((frame) => frame.data.index);
  expect(stops).toEqual(starts);
  expect(starts).toEqual(starts.map((_, index) => index));
};

const streamTurn = async (body: unknown) => {
  const response = await post('/v1/messages?beta=true', body);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const frames = readSse(text);
  expectWellFormedStream(frames);
  return assemble(frames);
};

describe.each(UPSTREAM_FORMATS)('Claude Code → %s upstream', (format) => {
  const model = () => upstreams.model(format);

  it('runs a two-step tool loop: call ids and reasoning state round-trip, usage is reported', async () => {
    if (format === 'openai-responses') upstreams.responses.enqueue(responsesReasoningThenCall('Bash', ['{"command":', '"ls"}']));
    const first = await streamTurn(turn(model(), [{ role: 'system', content: 'Today is Tuesday.' }, firstUserTurn]));
    expect(first.stopReason).toBe('tool_use');
    const toolUse = first.blocks.find((block) => block.type === 'tool_use');
    expect(toolUse?.name).toBe('Bash');
    expect(typeof toolUse?.id).toBe('string');
    expect(toolUse?.input).toBeTypeOf('object');
    expect(first.usage.input_tokens).toBeTypeOf('number');
    expect(Number(first.usage.output_tokens)).toBeGreaterThan(0);
    // display:"omitted": no thinking text reaches Claude Code, but any signature does.
    for (const block of first.blocks.filter((entry) => entry.type === 'thinking')) {
      expect(block.thinking).toBe('');
      expect(block.signature).toBeTypeOf('string');
    }

    // Claude Code sends the assistant turn back verbatim (thinking + signature first), then the result.
    const assistant = { role: 'assistant', content: first.blocks.filter((block) => !(block.type === 'text' && block.text === '')) };
    const results = {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: toolUse?.id, content: [{ type: 'text', text: 'README.md\nsrc' }], cache_control: { type: 'ephemeral' } },
      ],
    };
    const second = await streamTurn(turn(model(), [firstUserTurn, assistant, results]));
    expect(second.stopReason).toBe('end_turn');
    expect(second.blocks.filter((block) => block.type === 'text').map((block) => block.text).join('')).not.toBe('');

    const sent = upstreams.sent(format);
    expect(sent).toHaveLength(2);
    const echoed = echoedByUpstream(format, sent[1] ?? {});
    const expected = {
      'openai-chat': { callId: toolUse?.id, resultId: toolUse?.id, state: undefined },
      'openai-responses': { callId: 'call_up1', resultId: 'call_up1', state: 'gAAAAB-upstream-state-1' },
      anthropic: { callId: toolUse?.id, resultId: toolUse?.id, state: first.blocks.find((block) => block.type === 'thinking')?.signature },
      gemini: { callId: 'Bash', resultId: 'Bash', state: FAKE_GEMINI_SIGNATURE },
    }[format];
    expect(echoed).toEqual(expected);
    if (format === 'openai-responses') expect(toolUse?.id).toBe('call_up1');
  });

  it('sends nothing the upstream would refuse: no beta header, no defer_loading, system text kept', async () => {
    await streamTurn(turn(model(), [{ role: 'system', content: 'Today is Tuesday.' }, firstUserTurn]));
    const request = {
      'openai-chat': upstreams.chat.requests,
      'openai-responses': upstreams.responses.requests,
      anthropic: upstreams.anthropic.requests,
      gemini: upstreams.gemini.requests,
    }[format][0];
    expect(request).toBeDefined();
    const body = JSON.stringify(request?.body);
    if (format !== 'anthropic') expect(request?.headers['anthropic-beta']).toBeUndefined();
    // Passthrough to an Anthropic upstream keeps the body (and the betas that give it meaning).
    if (format === 'anthropic') expect(request?.headers['anthropic-beta']).toBe(HEADERS['anthropic-beta']);
    else expect(body).not.toContain('defer_loading');
    expect(body).toContain('Today is Tuesday.');
    expect(body).toContain("You are Claude Code, Anthropic's official CLI for Claude.");
    expect(body).toContain('List the files in this directory');
  });

  it('answers a non-streaming turn as one Message', async () => {
    const response = await post('/v1/messages?beta=true', turn(model(), [firstUserTurn], { stream: false }));
    const message = asRecord(await response.json());
    expect(response.status, JSON.stringify(message)).toBe(200);
    expect(message.type).toBe('message');
    expect(message.stop_reason).toBe('tool_use');
    expect((message.content as AnthropicBlock[]).some((block) => block.type === 'tool_use')).toBe(true);
  });

  it('answers the haiku side request (no tools, no thinking, Bearer auth)', async () => {
    const body = {
      model: model(),
      max_tokens: 512,
      stream: true,
      temperature: 0,
      system: [{ type: 'text', text: 'Summarize this coding conversation in under 50 characters.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Please write a 5-10 word title for the following conversation: …' }] }],
      metadata: { user_id: JSON.stringify({ device_id: 'a'.repeat(64), session_id: 's' }) },
      tools: [],
    };
    const response = await post('/v1/messages?beta=true', body, 'bearer');
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const frames = readSse(text);
    expectWellFormedStream(frames);
    const answer = assemble(frames);
    expect(answer.stopReason).toBe('end_turn');
    expect(answer.blocks.some((block) => block.type === 'text' && String(block.text) !== '')).toBe(true);
  });

  it('answers count_tokens bursts with real non-zero counts', async () => {
    const body = { model: model(), messages: [firstUserTurn], system: SYSTEM, tools: TOOLS, thinking: { type: 'adaptive', display: 'omitted' } };
    const responses = await Promise.all(Array.from({ length: 8 }, () => post('/v1/messages/count_tokens?beta=true', body)));
    for (const response of responses) {
      const counted = asRecord(await response.json());
      expect(response.status, JSON.stringify(counted)).toBe(200);
      expect(Number(counted.input_tokens)).toBeGreaterThan(0);
    }
  });

  it('carries a tool_result marked is_error with image content through', async () => {
    const first = await streamTurn(turn(model(), [firstUserTurn], { thinking: { type: 'disabled' } }));
    const toolUse = first.blocks.find((block) => block.type === 'tool_use');
    const image = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
    const second = await streamTurn(
      turn(
        model(),
        [
          firstUserTurn,
          { role: 'assistant', content: first.blocks },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: toolUse?.id,
                is_error: true,
                content: [
                  { type: 'text', text: 'Exit code 1' },
                  { type: 'image', source: { type: 'base64', media_type: 'image/png', data: image } },
                ],
              },
            ],
          },
        ],
        { thinking: { type: 'disabled' } },
      ),
    );
    // (The OpenAI fakes call a tool again: the result image follows the tool message as a user turn.)
    expect(['end_turn', 'tool_use']).toContain(second.stopReason);
    const sent = JSON.stringify(upstreams.sent(format)[1]);
    expect(sent).toContain('Exit code 1');
    expect(sent).toContain(image);
  });
});

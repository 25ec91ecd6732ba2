import { describe, expect, it } from 'vitest';
import { FAKE_GEMINI_SIGNATURE } from '../fakes/gemini-upstream';
import { jsonPost } from '../setup/seed';
import { asRecord, echoedByUpstream, readSse, responsesReasoningThenCall, UPSTREAM_FORMATS, useAgentUpstreams } from './harness';
import type { SseFrame } from './harness';

/**
 * Codex CLI (as observed on the wire, 0.169) against every upstream format: `POST /v1/responses` with `stream:true`,
 * `store:false`, `include:["reasoning.encrypted_content"]`, `prompt_cache_key`, reasoning summaries,
 * `text.verbosity`, function / namespace / freeform `custom` / hosted tools, and the input items it
 * sends back on the next step (reasoning with encrypted_content, function_call(_output),
 * custom_tool_call(_output)). Codex keeps only what `response.output_item.done` carries and ends a
 * turn only on `response.completed`.
 */
const upstreams = useAgentUpstreams('codex');

const HEADERS = {
  originator: 'codex_cli_rs',
  'session-id': '0199a0f1-3c7e-7d52-9c2e-8f3b1a2c4d5e',
  'thread-id': '0199a0f1-3c7e-7d52-9c2e-8f3b1a2c4d5e',
  'x-client-request-id': '0199a0f1-3c7e-7d52-9c2e-8f3b1a2c4d5e',
  'x-codex-window-id': '0199a0f1-3c7e-7d52-9c2e-8f3b1a2c4d5e:0',
  'x-codex-turn-metadata': JSON.stringify({ turn_id: 't1', sandbox: 'workspace-write' }),
  'x-codex-beta-features': 'unified_exec',
  accept: 'text/event-stream',
};

const EXEC_COMMAND = {
  type: 'function',
  name: 'exec_command',
  description: 'Runs a command in a PTY.',
  strict: false,
  parameters: {
    type: 'object',
    properties: { cmd: { type: 'string' }, workdir: { type: 'string' }, yield_time_ms: { type: 'number' } },
    required: ['cmd'],
    additionalProperties: false,
  },
};

const APPLY_PATCH = {
  type: 'custom',
  name: 'apply_patch',
  description: 'Use the `apply_patch` tool to edit files. This is a FREEFORM tool, so do not wrap the patch in JSON.',
  format: {
    type: 'grammar',
    syntax: 'lark',
    definition: 'start: begin_patch hunk+ end_patch\nbegin_patch: "*** Begin Patch" LF\nend_patch: "*** End Patch" LF?',
  },
};

const OTHER_TOOLS = [
  { type: 'function', name: 'view_image', description: 'Attach a local image', strict: false, parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
  {
    type: 'namespace',
    name: 'mcp__docs__',
    description: 'Docs MCP server',
    tools: [{ type: 'function', name: 'search', description: 'Search docs', strict: false, parameters: { type: 'object', properties: { q: { type: 'string' } } } }],
  },
  { type: 'web_search', external_web_access: false },
];

const DEVELOPER = { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex, a coding agent. <permissions instructions>…' }] };
const USER = { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'List the files here' }] };

const turn = (model: string, input: unknown[], tools: unknown[]) => ({
  model,
  instructions: undefined,
  input,
  tools,
  tool_choice: 'auto',
  parallel_tool_calls: true,
  reasoning: { summary: 'auto' },
  store: false,
  stream: true,
  include: ['reasoning.encrypted_content'],
  prompt_cache_key: '0199a0f1-3c7e-7d52-9c2e-8f3b1a2c4d5e',
  text: { verbosity: 'low' },
  client_metadata: { session_id: 's', turn_id: 't1' },
});

/** What Codex keeps from a stream: the items of `output_item.done`, and the completed response. */
const readCodexStream = (frames: SseFrame[]) => {
  expect(frames[0]?.event).toBe('response.created');
  frames.forEach((frame, index) => {
    expect(frame.event).toBe(frame.data.type);
    expect(frame.data.sequence_number).toBe(index);
  });
  const terminal = frames.at(-1);
  expect(terminal?.event, JSON.stringify(terminal?.data)).toBe('response.completed');
  const completed = asRecord(terminal?.data.response);
  const items = frames.filter((frame) => frame.event === 'response.output_item.done').map((frame) => asRecord(frame.data.item));
  const added = frames.filter((frame) => frame.event === 'response.output_item.added').map((frame) => asRecord(frame.data.item).id);
  expect(items.map((item) => item.id)).toEqual(added);
  expect(completed.output).toEqual(items);
  const usage = asRecord(completed.usage);
  expect(Number(usage.input_tokens)).toBeGreaterThan(0);
  expect(Number(usage.output_tokens)).toBeGreaterThan(0);
  expect(usage.total_tokens).toBe(Number(usage.input_tokens) + Number(usage.output_tokens));
  return { items, completed };
};

const streamTurn = async (body: unknown) => {
  const response = await jsonPost('/v1/responses', upstreams.key, body, HEADERS);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  return readCodexStream(readSse(text));
};

/** Codex's next-step input: it replays output items as it stored them (reasoning with content:null). */
const replay = (items: Record<string, unknown>[]) =>
  items.map((item) => (item.type === 'reasoning' ? { ...item, content: null } : item));

describe.each(UPSTREAM_FORMATS)('Codex CLI → %s upstream', (format) => {
  const model = () => upstreams.model(format);

  it('runs a two-step function tool loop: call ids and encrypted reasoning round-trip', async () => {
    if (format === 'openai-responses') upstreams.responses.enqueue(responsesReasoningThenCall('exec_command', ['{"cmd":"ls"}'], '**Listing**'));
    const tools = [EXEC_COMMAND, ...OTHER_TOOLS];
    const first = await streamTurn(turn(model(), [DEVELOPER, USER], tools));
    const call = first.items.find((item) => item.type === 'function_call');
    expect(call?.name).toBe('exec_command');
    expect(call?.status).toBe('completed');
    // (The Gemini fake calls with `{}`; the others fill the required `cmd`.)
    expect(JSON.parse(String(call?.arguments))).toBeTypeOf('object');
    expect(String(call?.id)).toMatch(/^fc_/);
    for (const item of first.items.filter((entry) => entry.type === 'reasoning')) expect(item.encrypted_content).toBeTypeOf('string');

    const output = { type: 'function_call_output', call_id: call?.call_id, output: 'Chunk ID: 1\nProcess exited with code 0\nOutput:\nREADME.md\nsrc\n' };
    const second = await streamTurn(turn(model(), [DEVELOPER, USER, ...replay(first.items), output], tools));
    const message = second.items.find((item) => item.type === 'message');
    expect(message?.role).toBe('assistant');
    expect(JSON.stringify(message?.content)).toContain('output_text');
    expect(second.items.some((item) => item.type === 'function_call')).toBe(false);

    const sent = upstreams.sent(format);
    expect(sent).toHaveLength(2);
    const expected = {
      'openai-chat': { callId: call?.call_id, resultId: call?.call_id, state: undefined },
      'openai-responses': { callId: 'call_up1', resultId: 'call_up1', state: 'gAAAAB-upstream-state-1' },
      anthropic: { callId: call?.call_id, resultId: call?.call_id, state: expect.stringMatching(/^ZmFrZS1zaWduYXR1cmU/) },
      gemini: { callId: 'exec_command', resultId: 'exec_command', state: FAKE_GEMINI_SIGNATURE },
    }[format];
    expect(echoedByUpstream(format, sent[1] ?? {})).toEqual(expected);
  });

  it('accepts every Codex request field and tool type without a 400', async () => {
    const response = await jsonPost('/v1/responses', upstreams.key, turn(model(), [DEVELOPER, USER], [EXEC_COMMAND, APPLY_PATCH, ...OTHER_TOOLS, { type: 'local_shell' }]), HEADERS);
    const text = await response.text();
    expect(response.status, text).toBe(200);
    readCodexStream(readSse(text));
    if (format !== 'openai-chat') return;
    // Chat Completions never gets client_metadata or include.
    const body = upstreams.sent(format)[0] ?? {};
    expect(body).not.toHaveProperty('client_metadata');
    expect(body).not.toHaveProperty('include');
  });
});

describe.each(UPSTREAM_FORMATS.filter((format) => format !== 'openai-responses'))('Codex CLI freeform apply_patch → %s upstream', (format) => {
  const model = () => upstreams.model(format);

  it('answers a call of the custom tool as a custom_tool_call item with raw input', async () => {
    const first = await streamTurn(turn(model(), [DEVELOPER, USER], [APPLY_PATCH, EXEC_COMMAND]));
    const call = first.items.find((item) => item.type === 'custom_tool_call');
    expect(call, JSON.stringify(first.items)).toBeDefined();
    expect(call?.name).toBe('apply_patch');
    expect(call?.input).toBeTypeOf('string');
    expect(call?.call_id).toBeTypeOf('string');
    expect(first.items.some((item) => item.type === 'function_call')).toBe(false);
    // The upstream saw a function taking the raw text as one string argument.
    expect(JSON.stringify(upstreams.sent(format)[0])).toContain('apply_patch');
  });

  it('sends custom_tool_call and custom_tool_call_output back to the upstream as a call and its result', async () => {
    const patch = '*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n';
    const input = [
      DEVELOPER,
      USER,
      { type: 'custom_tool_call', id: 'ctc_1', status: 'completed', call_id: 'call_patch_1', name: 'apply_patch', input: patch },
      { type: 'custom_tool_call_output', call_id: 'call_patch_1', output: 'Success. Updated the following files:\nA hello.txt\n' },
    ];
    const second = await streamTurn(turn(model(), input, [APPLY_PATCH, EXEC_COMMAND]));
    expect(second.items.some((item) => item.type === 'message')).toBe(true);
    const sent = JSON.stringify(upstreams.sent(format)[0]);
    // The call's arguments are `{"input": <patch>}`: a JSON string for Chat, an object for the others.
    const args = JSON.stringify({ input: patch });
    expect(sent).toContain(format === 'openai-chat' ? JSON.stringify(args).slice(1, -1) : args);
    expect(sent).toContain('Success. Updated the following files');
  });
});

describe.each(UPSTREAM_FORMATS.filter((format) => format !== 'openai-responses'))('Codex CLI local_shell / JSON answers → %s upstream', (format) => {
  const model = () => upstreams.model(format);

  it('answers a call of local_shell as a local_shell_call exec action', async () => {
    const first = await streamTurn(turn(model(), [DEVELOPER, USER], [{ type: 'local_shell' }]));
    const call = first.items.find((item) => item.type === 'local_shell_call');
    expect(call, JSON.stringify(first.items)).toBeDefined();
    expect(asRecord(call?.action).type).toBe('exec');
    expect(Array.isArray(asRecord(call?.action).command)).toBe(true);
    expect(call?.call_id).toBeTypeOf('string');
    expect(JSON.stringify(upstreams.sent(format)[0])).toContain('local_shell');
  });

  it('answers a non-streaming request with the same custom_tool_call item', async () => {
    const response = await jsonPost('/v1/responses', upstreams.key, { ...turn(model(), [DEVELOPER, USER], [APPLY_PATCH]), stream: false }, HEADERS);
    const body = asRecord(await response.json());
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body.status).toBe('completed');
    const call = (body.output as Record<string, unknown>[]).find((item) => item.type === 'custom_tool_call');
    expect(call?.name).toBe('apply_patch');
    expect(call?.input).toBeTypeOf('string');
    expect(body.tools).toEqual([expect.objectContaining({ type: 'custom', name: 'apply_patch', format: APPLY_PATCH.format })]);
  });
});

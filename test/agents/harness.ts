import { beforeAll, beforeEach } from 'vitest';
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY } from '../fakes/anthropic-upstream';
import type { AnthropicUpstream } from '../fakes/anthropic-upstream';
import { createGeminiUpstream, FAKE_GEMINI_KEY } from '../fakes/gemini-upstream';
import type { GeminiUpstream } from '../fakes/gemini-upstream';
import { createOpenAIChatUpstream, FAKE_OPENAI_CHAT_KEY } from '../fakes/openai-chat-upstream';
import { createOpenAIResponsesUpstream, FAKE_OPENAI_RESPONSES_KEY } from '../fakes/openai-responses-upstream';
import type { FakeOpenAIResponsesUpstream } from '../fakes/openai-responses-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addProvider, createKey } from '../setup/seed';

/**
 * One upstream of each format behind its own public model name (`<prefix>-<format>`), with fresh
 * fakes per test so a test can read exactly what its upstream was sent. This is how an operator
 * puts Claude Code or Codex CLI in front of any provider.
 */
export const UPSTREAM_FORMATS = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'] as const;
export type UpstreamFormat = (typeof UPSTREAM_FORMATS)[number];

export interface AgentUpstreams {
  key: string;
  model: (format: UpstreamFormat) => string;
  chat: ReturnType<typeof createOpenAIChatUpstream>;
  responses: FakeOpenAIResponsesUpstream;
  anthropic: AnthropicUpstream;
  gemini: GeminiUpstream;
  /** The bodies the upstream of `format` received, in order. */
  sent: (format: UpstreamFormat) => Record<string, unknown>[];
}

const origin = (prefix: string, format: UpstreamFormat) => `http://${prefix}-${format}.fake`;

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {};

export const useAgentUpstreams = (prefix: string): AgentUpstreams => {
  const state = {
    key: '',
    model: (format: UpstreamFormat) => `${prefix}-${format}`,
    chat: createOpenAIChatUpstream(),
    responses: createOpenAIResponsesUpstream(),
    anthropic: createAnthropicUpstream(),
    gemini: createGeminiUpstream(),
    sent: (format: UpstreamFormat): Record<string, unknown>[] => {
      const requests =
        format === 'openai-chat'
          ? state.chat.requests
          : format === 'openai-responses'
            ? state.responses.requests
            : format === 'anthropic'
              ? state.anthropic.requests
              : state.gemini.requests;
      return requests.map((request: { body: unknown }) => asRecord(request.body));
    },
  };
  beforeEach(() => {
    state.chat = createOpenAIChatUpstream();
    state.responses = createOpenAIResponsesUpstream();
    state.anthropic = createAnthropicUpstream();
    state.gemini = createGeminiUpstream();
    installFakeUpstreams({
      [origin(prefix, 'openai-chat')]: state.chat,
      [origin(prefix, 'openai-responses')]: state.responses,
      [origin(prefix, 'anthropic')]: state.anthropic,
      [origin(prefix, 'gemini')]: state.gemini,
    });
  });
  beforeAll(async () => {
    const keys: Record<UpstreamFormat, string> = {
      'openai-chat': FAKE_OPENAI_CHAT_KEY,
      'openai-responses': FAKE_OPENAI_RESPONSES_KEY,
      anthropic: FAKE_ANTHROPIC_KEY,
      gemini: FAKE_GEMINI_KEY,
    };
    for (const format of UPSTREAM_FORMATS) {
      const base = format.startsWith('openai') ? `${origin(prefix, format)}/v1` : origin(prefix, format);
      await addProvider({ id: `${prefix}-${format}`, protocol: format, baseUrl: base, apiKey: keys[format], models: [state.model(format)] });
    }
    state.key = (await createKey()).key;
  });
  return state;
};

export interface SseFrame {
  event: string | undefined;
  data: Record<string, unknown>;
}

/** Parses an SSE body the way the agents' readers do: `event:` + `data:` per blank-line frame, comments skipped. */
export const readSse = (text: string): SseFrame[] =>
  text
    .split(/\r?\n\r?\n/)
    .map((frame) => frame.split(/\r?\n/).filter((line) => line !== '' && !line.startsWith(':')))
    .filter((lines) => lines.some((line) => line.startsWith('data:')))
    .map((lines) => {
      const event = lines.find((line) => line.startsWith('event:'))?.slice(6).trim();
      const data = lines
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      return { event, data: data === '[DONE]' ? { type: '[DONE]' } : asRecord(JSON.parse(data)) };
    });

export { asRecord };

/** The call id, result id and opaque reasoning state an upstream received on the second step of a tool loop. */
export const echoedByUpstream = (format: UpstreamFormat, body: Record<string, unknown>) => {
  if (format === 'openai-chat') {
    const messages = (body.messages as Record<string, unknown>[]) ?? [];
    const call = messages.flatMap((message) => (Array.isArray(message.tool_calls) ? message.tool_calls : [])).map(asRecord)[0];
    const result = messages.find((message) => message.role === 'tool');
    return { callId: call?.id, resultId: result?.tool_call_id, state: undefined };
  }
  if (format === 'openai-responses') {
    const input = ((body.input as Record<string, unknown>[]) ?? []).map(asRecord);
    return {
      callId: input.find((item) => item.type === 'function_call')?.call_id,
      resultId: input.find((item) => item.type === 'function_call_output')?.call_id,
      state: input.find((item) => item.type === 'reasoning')?.encrypted_content,
    };
  }
  if (format === 'anthropic') {
    const blocks = ((body.messages as Record<string, unknown>[]) ?? []).flatMap((message) =>
      Array.isArray(message.content) ? message.content.map(asRecord) : [],
    );
    return {
      callId: blocks.find((block) => block.type === 'tool_use')?.id,
      resultId: blocks.find((block) => block.type === 'tool_result')?.tool_use_id,
      state: blocks.find((block) => block.type === 'thinking')?.signature,
    };
  }
  const parts = ((body.contents as Record<string, unknown>[]) ?? []).flatMap((content) =>
    Array.isArray(content.parts) ? content.parts.map(asRecord) : [],
  );
  const call = parts.find((part) => part.functionCall !== undefined);
  return {
    callId: asRecord(call?.functionCall).name,
    resultId: asRecord(parts.find((part) => part.functionResponse !== undefined)?.functionResponse).name,
    state: call?.thoughtSignature,
  };
};


/**
 * A Responses upstream's turn that reasons (encrypted state `gAAAAB-upstream-state-1`, with a summary
 * when given) and then calls `name`, its arguments streamed as `argumentDeltas`; the call id is `call_up1`.
 */
export const responsesReasoningThenCall = (name: string, argumentDeltas: string[], summary?: string) => {
  const args = argumentDeltas.join('');
  const reasoning = { id: 'rs_up1', type: 'reasoning', summary: summary === undefined ? [] : [{ type: 'summary_text', text: summary }], encrypted_content: 'gAAAAB-upstream-state-1' };
  const call = { id: 'fc_up1', type: 'function_call', status: 'completed', call_id: 'call_up1', name, arguments: args };
  const usage = { input_tokens: 120, input_tokens_details: { cached_tokens: 100 }, output_tokens: 30, output_tokens_details: { reasoning_tokens: 12 }, total_tokens: 150 };
  const base = { id: 'resp_up1', object: 'response', created_at: 1, model: 'up', output: [] as unknown[], usage: null as unknown, status: 'in_progress' };
  const at = { item_id: 'rs_up1', output_index: 0, summary_index: 0 };
  const summaryEvents =
    summary === undefined
      ? []
      : [
          { type: 'response.reasoning_summary_part.added', ...at, part: { type: 'summary_text', text: '' } },
          { type: 'response.reasoning_summary_text.delta', ...at, delta: summary },
        ];
  return {
    type: 'stream' as const,
    events: [
      { type: 'response.created', response: base },
      { type: 'response.output_item.added', output_index: 0, item: { ...reasoning, summary: [], encrypted_content: 'added-value' } },
      ...summaryEvents,
      { type: 'response.output_item.done', output_index: 0, item: reasoning },
      { type: 'response.output_item.added', output_index: 1, item: { ...call, status: 'in_progress', arguments: '' } },
      ...argumentDeltas.map((delta) => ({ type: 'response.function_call_arguments.delta', item_id: 'fc_up1', output_index: 1, delta })),
      { type: 'response.function_call_arguments.done', item_id: 'fc_up1', output_index: 1, arguments: args },
      { type: 'response.output_item.done', output_index: 1, item: call },
      { type: 'response.completed', response: { ...base, status: 'completed', output: [reasoning, call], usage } },
    ],
  };
};

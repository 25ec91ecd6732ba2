import { env } from 'cloudflare:workers';
import type { WireFormat } from '../../../src/ir/format';
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY } from '../../fakes/anthropic-upstream';
import { createGeminiUpstream, FAKE_GEMINI_KEY } from '../../fakes/gemini-upstream';
import { createOpenAIChatUpstream, FAKE_OPENAI_CHAT_KEY } from '../../fakes/openai-chat-upstream';
import { createOpenAIResponsesUpstream, FAKE_OPENAI_RESPONSES_KEY } from '../../fakes/openai-responses-upstream';
import type { FakeHandler } from '../../setup/fake-network';
import { addProvider, callRelay } from '../../setup/seed';
import { baseUrlFor, clientCall } from './wire';

let counter = 0;
/** Provider ids and model names unique within the test file (D1 and the breaker outlive one test). */
export const unique = (prefix: string): string => `${prefix}-${++counter}`;

/** Small per-provider timeouts keep the suite fast. */
export const FAST = { firstByteTimeoutMs: 300, idleTimeoutMs: 200 } as const;

export interface HealthyUpstream {
  handler: FakeHandler;
  requests: () => number;
  apiKey: string;
}

/** A well-behaved fake of `format` (the fallback that should answer). */
export const healthyUpstream = (format: WireFormat): HealthyUpstream => {
  switch (format) {
    case 'openai-chat': {
      const fake = createOpenAIChatUpstream();
      return { handler: fake, requests: () => fake.requests.length, apiKey: FAKE_OPENAI_CHAT_KEY };
    }
    case 'openai-responses': {
      const fake = createOpenAIResponsesUpstream();
      return { handler: fake, requests: () => fake.requests.length, apiKey: FAKE_OPENAI_RESPONSES_KEY };
    }
    case 'anthropic': {
      const fake = createAnthropicUpstream();
      return { handler: fake, requests: () => fake.requests.length, apiKey: FAKE_ANTHROPIC_KEY };
    }
    case 'gemini': {
      const fake = createGeminiUpstream();
      return { handler: fake, requests: () => fake.requests.length, apiKey: FAKE_GEMINI_KEY };
    }
  }
};

export interface ProviderSpec {
  id: string;
  format: WireFormat;
  origin: string;
  model: string;
  priority?: number;
  apiKey?: string;
  timeouts?: { firstByteTimeoutMs?: number; idleTimeoutMs?: number };
  /** Same-provider retries (the provider default when absent). */
  maxRetries?: number;
}

export const provide = async (spec: ProviderSpec): Promise<void> => {
  await addProvider({
    id: spec.id,
    protocol: spec.format,
    baseUrl: baseUrlFor(spec.format, spec.origin),
    apiKey: spec.apiKey ?? 'sk-fault',
    models: [spec.model],
    priority: spec.priority ?? 0,
    ...(spec.timeouts ?? FAST),
    ...(spec.maxRetries === undefined ? {} : { maxRetries: spec.maxRetries }),
  });
};

export const callClient = (format: WireFormat, key: string, model: string, stream: boolean, signal?: AbortSignal): Promise<Response> => {
  const call = clientCall(format, model, stream);
  return callRelay(call.path, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(call.body),
    ...(signal === undefined ? {} : { signal }),
  });
};

export type UsageRow = Record<string, unknown>;

/** Waits for the usage queue to land these requests in D1 (one batch covers many). */
export const usageRows = async (requestIds: string[]): Promise<Map<string, UsageRow>> => {
  const rows = new Map<string, UsageRow>();
  for (let i = 0; i < 100 && rows.size < requestIds.length; i++) {
    for (const id of requestIds) {
      if (rows.has(id)) continue;
      const row = await env.DB.prepare('SELECT * FROM usage_events WHERE request_id = ?').bind(id).first<UsageRow>();
      if (row !== null) rows.set(id, row);
    }
    if (rows.size < requestIds.length) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (rows.size < requestIds.length) throw new Error(`usage rows missing: ${requestIds.filter((id) => !rows.has(id)).join(', ')}`);
  return rows;
};

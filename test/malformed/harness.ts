import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import type { Env } from '../../src/env';
import worker from '../../src/index';
import { createAnthropicUpstream, FAKE_ANTHROPIC_KEY } from '../fakes/anthropic-upstream';
import { createGeminiUpstream, FAKE_GEMINI_KEY } from '../fakes/gemini-upstream';
import { createOpenAIChatUpstream, FAKE_OPENAI_CHAT_KEY } from '../fakes/openai-chat-upstream';
import { createOpenAIResponsesUpstream, FAKE_OPENAI_RESPONSES_KEY } from '../fakes/openai-responses-upstream';
import { installFakeUpstreams } from '../setup/fake-network';
import { addMockProvider, addProvider, callRelay } from '../setup/seed';

export type ErrorShape = 'openai' | 'anthropic' | 'gemini';

/** Every upstream secret the relay holds in these tests: none may ever reach a client. */
export const UPSTREAM_SECRETS = [FAKE_ANTHROPIC_KEY, FAKE_GEMINI_KEY, FAKE_OPENAI_CHAT_KEY, FAKE_OPENAI_RESPONSES_KEY, 'test-admin-token', 'test-encryption-key', 'test-webhook-secret'];

/** Fake upstreams of every format, reached by translation from the other formats. */
export const installTranslationUpstreams = (): void => {
  installFakeUpstreams({
    'http://chat.malformed.fake': createOpenAIChatUpstream(),
    'http://responses.malformed.fake': createOpenAIResponsesUpstream(),
    'http://anthropic.malformed.fake': createAnthropicUpstream(),
    'http://gemini.malformed.fake': createGeminiUpstream(),
  });
};

/** `mock-*` (the built-in mock, same format as the caller) and one translated model per upstream format. */
export const seedProviders = async (): Promise<void> => {
  await addMockProvider();
  const providers = [
    { id: 'mf-chat', protocol: 'openai-chat', baseUrl: 'http://chat.malformed.fake/v1', apiKey: FAKE_OPENAI_CHAT_KEY, models: ['via-chat'] },
    { id: 'mf-resp', protocol: 'openai-responses', baseUrl: 'http://responses.malformed.fake/v1', apiKey: FAKE_OPENAI_RESPONSES_KEY, models: ['via-responses'] },
    { id: 'mf-ant', protocol: 'anthropic', baseUrl: 'http://anthropic.malformed.fake', apiKey: FAKE_ANTHROPIC_KEY, models: ['via-anthropic'] },
    { id: 'mf-gem', protocol: 'gemini', baseUrl: 'http://gemini.malformed.fake', apiKey: FAKE_GEMINI_KEY, models: ['via-gemini'] },
  ];
  for (const provider of providers) {
    const existing = await callRelay(`/admin/providers/${provider.id}`, { headers: { authorization: 'Bearer test-admin-token' } });
    if (existing.status !== 200) await addProvider(provider);
  }
};

const OPENAI_TYPE: Record<number, string[]> = {
  400: ['invalid_request_error'],
  401: ['invalid_request_error'],
  403: ['permission_error'],
  404: ['invalid_request_error'],
  405: ['invalid_request_error'],
  409: ['invalid_request_error'],
  413: ['invalid_request_error'],
  415: ['invalid_request_error'],
  422: ['invalid_request_error'],
  426: ['invalid_request_error'],
  429: ['rate_limit_error', 'insufficient_quota'],
};
const ANTHROPIC_TYPE: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  413: 'request_too_large',
  415: 'invalid_request_error',
  429: 'rate_limit_error',
};
const GEMINI_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'INVALID_ARGUMENT',
  415: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
};

/** Things that only appear in a body when internals leak: stack frames, JS error names, secrets. */
export const assertNoLeak = (text: string, extraSecrets: string[] = []): void => {
  expect(text).not.toMatch(/\bstack\b/i);
  expect(text).not.toMatch(/\bat [\w.<>]+ \(|\n\s+at |\.ts:\d+|\.js:\d+/);
  expect(text).not.toMatch(/\b(Type|Reference|Syntax|Range|Internal)?Error: /);
  expect(text).not.toMatch(/Cannot read propert|is not a function|undefined is not|Maximum call stack/);
  expect(text).not.toContain('internal relay error');
  for (const secret of [...UPSTREAM_SECRETS, ...extraSecrets]) expect(text).not.toContain(secret);
};

/**
 * Asserts `response` is an error of `status` in exactly the caller's wire shape, with nothing
 * internal in it, and returns its message.
 */
export const expectCallerError = async (response: Response, shape: ErrorShape, status: number, extraSecrets: string[] = []): Promise<string> => {
  const text = await response.text();
  const context = `${shape} ${status}: ${text.slice(0, 300)}`;
  expect(response.status, context).toBe(status);
  expect(response.headers.get('content-type') ?? '', context).toContain('application/json');
  expect(response.headers.get('x-request-id'), context).toMatch(/^req_/);
  assertNoLeak(text, extraSecrets);
  const body = JSON.parse(text) as Record<string, unknown>;
  if (shape === 'openai') {
    expect(Object.keys(body), context).toEqual(['error']);
    const error = body.error as Record<string, unknown>;
    expect(Object.keys(error).sort(), context).toEqual(['code', 'message', 'param', 'type']);
    expect(error.message, context).toBeTypeOf('string');
    expect(OPENAI_TYPE[status] ?? ['?'], context).toContain(error.type);
    expect(error.param === null || typeof error.param === 'string', context).toBe(true);
    expect(error.code === null || typeof error.code === 'string', context).toBe(true);
    if (status === 401) expect(error.code, context).toBe('invalid_api_key');
    return String(error.message);
  }
  if (shape === 'anthropic') {
    expect(body.type, context).toBe('error');
    expect(Object.keys(body).filter((name) => name !== 'request_id'), context).toEqual(['type', 'error']);
    const error = body.error as Record<string, unknown>;
    expect(Object.keys(error).sort(), context).toEqual(['message', 'type']);
    expect(error.type, context).toBe(ANTHROPIC_TYPE[status]);
    expect(error.message, context).toBeTypeOf('string');
    return String(error.message);
  }
  expect(Object.keys(body), context).toEqual(['error']);
  const error = body.error as Record<string, unknown>;
  expect(Object.keys(error).filter((name) => name !== 'details').sort(), context).toEqual(['code', 'message', 'status']);
  expect(error.code, context).toBe(status);
  expect(error.status, context).toBe(GEMINI_STATUS[status]);
  expect(error.message, context).toBeTypeOf('string');
  return String(error.message);
};

/** The full Worker on a copy of the bindings (e.g. ALLOW_PRIVATE_URLS unset, as in production). */
export const callRelayWith = async (bindings: Env, path: string, init: RequestInit = {}): Promise<Response> => {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`http://relay.test${path}`, init), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return response;
};

/** The relay as deployed: client URLs must be public. */
export const productionEnv = (): Env => ({ ...env, ALLOW_PRIVATE_URLS: undefined });

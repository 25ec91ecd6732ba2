import type { ErrorShape } from './harness';

/** One client endpoint of the relay, with a valid request to mutate. */
export interface Endpoint {
  name: string;
  shape: ErrorShape;
  /** The path for a model (Gemini puts it in the path). */
  path: (model: string) => string;
  /** A valid body for a model. */
  body: (model: string) => Record<string, unknown>;
  /** Headers the format's SDK sends besides the key. */
  headers: Record<string, string>;
  /** How the format's SDK sends the key. */
  auth: (key: string) => Record<string, string>;
  /** A model served by translation into another format. */
  translatedModel: string;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const chatMessages = [{ role: 'user', content: 'hi' }];
const geminiContents = [{ role: 'user', parts: [{ text: 'hi' }] }];

export const CHAT: Endpoint = {
  name: 'chat',
  shape: 'openai',
  path: () => '/v1/chat/completions',
  body: (model) => ({ model, messages: chatMessages }),
  headers: {},
  auth: bearer,
  translatedModel: 'via-anthropic',
};

export const RESPONSES: Endpoint = {
  name: 'responses',
  shape: 'openai',
  path: () => '/v1/responses',
  body: (model) => ({ model, input: 'hi', store: false }),
  headers: {},
  auth: bearer,
  translatedModel: 'via-anthropic',
};

export const MESSAGES: Endpoint = {
  name: 'messages',
  shape: 'anthropic',
  path: () => '/v1/messages',
  body: (model) => ({ model, max_tokens: 50, messages: chatMessages }),
  headers: { 'anthropic-version': '2023-06-01' },
  auth: (key) => ({ 'x-api-key': key }),
  translatedModel: 'via-chat',
};

export const COUNT_TOKENS: Endpoint = {
  name: 'count_tokens',
  shape: 'anthropic',
  path: () => '/v1/messages/count_tokens',
  body: (model) => ({ model, messages: chatMessages }),
  headers: { 'anthropic-version': '2023-06-01' },
  auth: (key) => ({ 'x-api-key': key }),
  translatedModel: 'via-chat',
};

export const GENERATE: Endpoint = {
  name: 'generateContent',
  shape: 'gemini',
  path: (model) => `/v1beta/models/${model}:generateContent`,
  body: () => ({ contents: geminiContents }),
  headers: {},
  auth: (key) => ({ 'x-goog-api-key': key }),
  translatedModel: 'via-chat',
};

export const STREAM_GENERATE: Endpoint = {
  ...GENERATE,
  name: 'streamGenerateContent',
  path: (model) => `/v1beta/models/${model}:streamGenerateContent?alt=sse`,
};

export const COUNT_GEMINI: Endpoint = {
  ...GENERATE,
  name: 'countTokens',
  path: (model) => `/v1beta/models/${model}:countTokens`,
};

export const GENERATION_ENDPOINTS = [CHAT, RESPONSES, MESSAGES, COUNT_TOKENS, GENERATE, STREAM_GENERATE, COUNT_GEMINI];

import { Hono, type MiddlewareHandler } from 'hono';
import { apiKeyAuth } from '../auth/middleware';
import type { AppEnv } from '../env';
import { geminiModelList, geminiModelOf, modelList, modelOf } from './model-list';

/**
 * @google/genai calls the v1 API by default, so it reads the model list at /v1/models too, in
 * Gemini's shape. It is told apart by what only Google's SDKs send: x-goog-api-client, or its key
 * in x-goog-api-key with neither an OpenAI nor an Anthropic credential.
 */
const speaksGemini = (headers: Headers): boolean =>
  headers.has('x-goog-api-client') || (headers.has('x-goog-api-key') && !headers.has('authorization') && !headers.has('x-api-key'));

const modelsClientFormat: MiddlewareHandler<AppEnv> = async function modelsClientFormat(c, next) {
  c.set('clientFormat', speaksGemini(c.req.raw.headers) ? 'gemini' : 'openai-chat');
  await next();
};

/**
 * GET /v1/models and /v1/models/{id}: one list readable by the OpenAI and the Anthropic SDK alike, and
 * the Gemini list for Google's SDKs. An id may hold slashes (`vendor/model`); Google's SDKs send it unescaped.
 */
// On GET only: POST /v1/models/{model}:generateContent is the Gemini surface's, with its own error shape and auth.
const models = [modelsClientFormat, apiKeyAuth({ scope: 'chat' })] as const;

export const modelRoutes = new Hono<AppEnv>()
  .get('/v1/models', ...models, (c) => (c.var.clientFormat === 'gemini' ? geminiModelList(c) : modelList(c)))
  .get('/v1/models/:model{.+}', ...models, (c) => (c.var.clientFormat === 'gemini' ? geminiModelOf(c, c.req.param('model')) : modelOf(c, c.req.param('model'))));

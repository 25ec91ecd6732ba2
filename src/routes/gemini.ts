import { Hono, type Context } from 'hono';
import { apiKeyAuth } from '../auth/middleware';
import type { AppEnv } from '../env';
import { RelayError } from '../errors';
import { countTokens } from '../relay/count-tokens';
import { relay } from '../relay/pipeline';
import { clientFormat } from './client-format';
import { geminiModelList, geminiModelOf } from './model-list';

/**
 * `{model}:{method}` from the rest of the path. Model names may hold slashes (`meta-llama/Llama-3.3-70B`,
 * as vLLM and OpenRouter-style catalogs name them), and Google's SDKs put them in the path unescaped.
 */
const geminiCall = (c: Context<AppEnv>): Promise<Response> => {
  const target = c.req.param('target') ?? '';
  const colon = target.lastIndexOf(':');
  const model = colon > 0 ? target.slice(0, colon) : '';
  const method = colon > 0 ? target.slice(colon + 1) : target;
  if (model === '') throw new RelayError('not_found', 404, 'unknown method: expected /v1beta/models/{model}:generateContent');
  switch (method) {
    case 'generateContent':
      return relay(c, 'gemini', { model, stream: false });
    case 'streamGenerateContent':
      return relay(c, 'gemini', { model, stream: true, ...(c.req.query('alt') === 'sse' ? {} : { jsonArrayStream: true }) });
    case 'countTokens':
      return countTokens(c, 'gemini', { model, stream: false, endpoint: 'count_tokens' });
    default:
      throw new RelayError('not_found', 404, `method "${method}" is not supported by this relay`);
  }
};

const gemini = [clientFormat('gemini'), apiKeyAuth({ scope: 'chat' })] as const;

/**
 * Gemini surface: `/v1beta/models/{model}:{method}` (and the same methods under `/v1/models/`, which
 * newer Google SDKs call). The model and the streaming flag live in the path; `:streamGenerateContent`
 * is answered as SSE with `alt=sse` (what every Google SDK sends) and as one streamed JSON array
 * without it, as Google's API does.
 */
export const geminiRoutes = new Hono<AppEnv>()
  .get('/v1beta/models', ...gemini, (c) => geminiModelList(c))
  .get('/v1beta/models/:model{.+}', ...gemini, (c) => {
    const id = c.req.param('model');
    // `{model}:{method}` is a generation call (POST); no model name holds a colon, even under a wildcard route.
    if (id.includes(':')) throw new RelayError('not_found', 404, `no route for GET /v1beta/models/${id}: ${id.slice(id.lastIndexOf(':') + 1)} takes POST`);
    return geminiModelOf(c, id);
  })
  .post('/v1beta/models/:target{.+}', ...gemini, geminiCall)
  .post('/v1/models/:target{.+}', ...gemini, geminiCall)
  // @ai-sdk/google leaves out `models/` for a name that holds a slash: /v1beta/vendor/model:generateContent.
  .post('/v1beta/:target{[^/]+/.+}', ...gemini, geminiCall);

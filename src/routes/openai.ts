import { Hono } from 'hono';
import { apiKeyAuth } from '../auth/middleware';
import type { AppEnv } from '../env';
import { countTokens } from '../relay/count-tokens';
import { relay } from '../relay/pipeline';
import { clientFormat } from './client-format';

/** OpenAI surfaces: Chat Completions and Responses (with its input-token count). */
export const openaiRoutes = new Hono<AppEnv>()
  .post('/v1/chat/completions', clientFormat('openai-chat'), apiKeyAuth({ scope: 'chat' }), (c) => relay(c, 'openai-chat'))
  .post('/v1/responses', clientFormat('openai-responses'), apiKeyAuth({ scope: 'chat' }), (c) => relay(c, 'openai-responses'))
  .post('/v1/responses/input_tokens', clientFormat('openai-responses'), apiKeyAuth({ scope: 'chat' }), (c) =>
    countTokens(c, 'openai-responses', { endpoint: 'count_tokens' }),
  );

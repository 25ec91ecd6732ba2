import { Hono } from 'hono';
import { apiKeyAuth } from '../auth/middleware';
import type { AppEnv } from '../env';
import { clientFormat } from './client-format';
import { modelList, modelOf } from './model-list';

/** GET /v1/models and /v1/models/{id}, readable by the OpenAI and the Anthropic SDK alike. */
export const modelRoutes = new Hono<AppEnv>()
  .use('/v1/models', clientFormat('openai-chat'), apiKeyAuth({ scope: 'chat' }))
  .use('/v1/models/*', clientFormat('openai-chat'), apiKeyAuth({ scope: 'chat' }))
  .get('/v1/models', (c) => modelList(c))
  .get('/v1/models/:model', (c) => modelOf(c, c.req.param('model')));

import { Hono } from 'hono';
import { apiKeyAuth } from '../auth/middleware';
import type { AppEnv } from '../env';
import { countTokens } from '../relay/count-tokens';
import { relay } from '../relay/pipeline';
import { clientFormat } from './client-format';

/** Anthropic Messages surface. Claude Code appends `?beta=true`; the query string is ignored. */
export const anthropicRoutes = new Hono<AppEnv>()
  .use('/v1/messages', clientFormat('anthropic'), apiKeyAuth({ scope: 'chat' }))
  .use('/v1/messages/*', clientFormat('anthropic'), apiKeyAuth({ scope: 'chat' }))
  .post('/v1/messages', (c) => relay(c, 'anthropic'))
  .post('/v1/messages/count_tokens', (c) => countTokens(c, 'anthropic', { endpoint: 'count_tokens' }));

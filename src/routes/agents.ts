import { Hono } from 'hono';
import { apiKeyAuth } from '../auth/middleware';
import type { AppEnv } from '../env';
import { relay } from '../relay/pipeline';
import { clientFormat } from './client-format';
import { modelList, modelOf } from './model-list';

const agentKey = apiKeyAuth({ scope: 'chat', kind: 'agent' });

/**
 * The agent API (subscription access for agents such as OpenClaw and Hermes), mounted at
 * /api/v1/agents and the legacy /api/chat-agent/v1: agent keys only, the same relay pipeline as /v1.
 * The base URL is OpenAI-compatible (an SDK appends /chat/completions, /responses, /models); the
 * /v1/… paths are where the Anthropic SDK lands when given the same base URL.
 */
export const agentRoutes = new Hono<AppEnv>()
  .get('/models', clientFormat('openai-chat'), agentKey, (c) => modelList(c))
  .get('/models/:model', clientFormat('openai-chat'), agentKey, (c) => modelOf(c, c.req.param('model')))
  .get('/v1/models', clientFormat('anthropic'), agentKey, (c) => modelList(c))
  .post('/chat/completions', clientFormat('openai-chat'), agentKey, (c) => relay(c, 'openai-chat'))
  .post('/responses', clientFormat('openai-responses'), agentKey, (c) => relay(c, 'openai-responses'))
  .post('/messages', clientFormat('anthropic'), agentKey, (c) => relay(c, 'anthropic'))
  .post('/v1/messages', clientFormat('anthropic'), agentKey, (c) => relay(c, 'anthropic'));

import { AGENT_API_PATHS } from '../routes/agent-paths';

/**
 * GET /.well-known/polyrelay.json: what a client or agent needs to configure itself against this relay
 * without reading the docs: the base URL of each wire format, every endpoint, and how keys are sent.
 */
interface Endpoint {
  method: 'GET' | 'POST' | 'HEAD';
  path: string;
  format: 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini' | 'openai-images' | 'relay';
  stream?: 'sse' | 'optional-sse';
  auth: boolean;
  description: string;
}

const ENDPOINTS: Endpoint[] = [
  { method: 'POST', path: '/v1/chat/completions', format: 'openai-chat', stream: 'optional-sse', auth: true, description: 'OpenAI Chat Completions ("stream": true for SSE)' },
  { method: 'POST', path: '/v1/responses', format: 'openai-responses', stream: 'optional-sse', auth: true, description: 'OpenAI Responses (Codex CLI)' },
  { method: 'POST', path: '/v1/messages', format: 'anthropic', stream: 'optional-sse', auth: true, description: 'Anthropic Messages (Claude Code); ?beta=true accepted' },
  { method: 'POST', path: '/v1/messages/count_tokens', format: 'anthropic', auth: true, description: 'Anthropic token count' },
  { method: 'POST', path: '/v1beta/models/{model}:generateContent', format: 'gemini', auth: true, description: 'Gemini generateContent' },
  { method: 'POST', path: '/v1beta/models/{model}:streamGenerateContent?alt=sse', format: 'gemini', stream: 'sse', auth: true, description: 'Gemini streaming' },
  { method: 'POST', path: '/v1beta/models/{model}:countTokens', format: 'gemini', auth: true, description: 'Gemini token count' },
  { method: 'GET', path: '/v1/models', format: 'relay', auth: true, description: 'models this key may use (OpenAI and Anthropic list shapes)' },
  { method: 'GET', path: '/v1beta/models', format: 'gemini', auth: true, description: 'models in the Gemini list shape' },
  { method: 'POST', path: '/v1/images/generations', format: 'openai-images', auth: true, description: 'image task (202) or, with Prefer: wait, the OpenAI images answer' },
  { method: 'POST', path: '/v1/images/edits', format: 'openai-images', auth: true, description: 'image edit of uploaded files (multipart/form-data): a task (202) or, with Prefer: wait, the OpenAI images answer' },
  { method: 'GET', path: '/v1/tasks/{id}', format: 'relay', auth: true, description: 'image task status' },
  { method: 'GET', path: '/v1/tasks/{id}/events', format: 'relay', stream: 'sse', auth: true, description: 'image task status as server-sent events' },
  { method: 'GET', path: '/v1/usage', format: 'relay', auth: true, description: 'usage, cost and quota windows of the calling key (?days=1..90)' },
  { method: 'GET', path: '/health', format: 'relay', auth: false, description: 'per-provider health; 503 when none is healthy' },
];

export const discoveryDocument = (base: string, keyPrefix: string) => ({
  name: 'polyrelay',
  description: 'LLM API relay: OpenAI Chat Completions, OpenAI Responses, Anthropic Messages and Gemini in and out, one key for all.',
  base_url: base,
  formats: {
    'openai-chat': { base_url: `${base}/v1`, sdk: 'openai', paths: ['/v1/chat/completions'] },
    'openai-responses': { base_url: `${base}/v1`, sdk: 'openai', paths: ['/v1/responses'] },
    anthropic: { base_url: base, sdk: '@anthropic-ai/sdk, anthropic', paths: ['/v1/messages', '/v1/messages/count_tokens'] },
    gemini: { base_url: base, sdk: '@google/genai, google-genai', paths: ['/v1beta/models/{model}:generateContent', '/v1beta/models/{model}:streamGenerateContent'] },
  },
  aliases: ['/anthropic/v1/messages', '/openai/v1/*', '/api.openai.com/v1/*', '/gemini/v1beta/*'],
  agent_api: {
    base_url: `${base}${AGENT_API_PATHS[0]}`,
    legacy_base_url: `${base}${AGENT_API_PATHS[1]}`,
    key_prefix: `${keyPrefix}agent-`,
    paths: ['GET /models', 'POST /chat/completions', 'POST /responses', 'POST /messages'],
    note: 'agent keys work only here and inference keys only elsewhere (403 agent_key_required / inference_key_required); agent keys share their account\'s 5-hour and weekly window',
  },
  auth: {
    key_prefix: keyPrefix,
    accepted: [
      { in: 'header', name: 'Authorization', scheme: 'Bearer' },
      { in: 'header', name: 'x-api-key' },
      { in: 'header', name: 'x-goog-api-key' },
      { in: 'query', name: 'key' },
    ],
    note: 'Every accepted form works on every endpoint. Errors come in the caller format.',
  },
  rate_limits: {
    headers: ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-ratelimit-limit-week', 'x-ratelimit-remaining-week', 'x-ratelimit-reset-week'],
    refusal: '429 with retry-after, in the caller format',
  },
  endpoints: ENDPOINTS,
  links: { docs: `${base}/docs`, setup_claude_code: `${base}/setup.sh`, models: `${base}/v1/models`, usage: `${base}/v1/usage`, health: `${base}/health` },
});

import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { basePathOf, isUnderBasePath, routedPath } from './base-path';
import { adminAuth } from './admin/admin-auth';
import { accountAdminRoutes } from './admin/accounts';
import { keyAdminRoutes } from './admin/keys';
import { priceAdminRoutes } from './admin/prices';
import { usageAdminRoutes, usageCsvRoutes } from './admin/usage';
import { providerAdminRoutes } from './admin/providers';
import { dashboardRoutes } from './dashboard/routes';
import { configOf, type AppEnv } from './env';
import { RelayError, toRelayError } from './errors';
import { clientErrorResponse } from './protocols/client-error';
import { rateLimitHeaders } from './quota/headers';
import { QuotaExceededError } from './quota/quota-client';
import { relayRequestId } from './request-id';
import { AGENT_API_PATHS } from './routes/agent-paths';
import { agentRoutes } from './routes/agents';
import { anthropicRoutes } from './routes/anthropic';
import { guessClientFormat } from './routes/client-format';
import { onboardingRoutes } from './onboarding/routes';
import { geminiRoutes } from './routes/gemini';
import { healthRoutes } from './routes/health';
import { imageRoutes } from './routes/images';
import { modelList } from './routes/model-list';
import { modelRoutes } from './routes/models';
import { openaiRoutes } from './routes/openai';
import { requireWebSocketUpgrade, responsesWebSocket } from './routes/responses-websocket';
import { usageRoutes } from './routes/usage';
import { apiKeyAuth } from './auth/middleware';
import { clientFormat } from './routes/client-format';

const errorResponse = (c: { req: { raw: Request }; var: Partial<AppEnv['Variables']> }, error: RelayError): Response => {
  const format = c.var.clientFormat ?? guessClientFormat(c.req.raw);
  const encoded = clientErrorResponse(format, error, c.var.requestId ?? '');
  const headers = new Headers(encoded.headers);
  if (c.var.requestId) headers.set('x-request-id', c.var.requestId);
  if (error instanceof QuotaExceededError) for (const [name, value] of Object.entries(rateLimitHeaders(error.verdict, format))) headers.set(name, value);
  return new Response(encoded.body, { status: encoded.status, headers });
};

export const buildApp = () => {
  const app = new Hono<AppEnv>({ getPath: routedPath });
  app.use(relayRequestId());
  app.use((c, next) =>
    bodyLimit({
      maxSize: configOf(c.env).maxBodyBytes,
      onError: () => {
        throw new RelayError('request_too_large', 413, `request body exceeds ${configOf(c.env).maxBodyBytes} bytes`);
      },
    })(c, next),
  );

  app.route('/', healthRoutes);
  app.route('/', usageRoutes);
  app.on(['GET', 'HEAD'], ['/api/hello', '/anthropic/api/hello'], (c) => c.json({ ok: true }));
  // The Responses WebSocket: each response.create goes back through this app as a POST /v1/responses.
  const responsesSocket = responsesWebSocket({ dispatch: (request, c) => app.fetch(request, c.env, c.executionCtx) });
  for (const prefix of ['/', '/openai', '/api.openai.com']) {
    app.get(`${prefix === '/' ? '' : prefix}/v1/responses`, requireWebSocketUpgrade(), clientFormat('openai-responses'), apiKeyAuth({ scope: 'chat' }), responsesSocket);
    app.route(prefix, openaiRoutes);
    app.route(prefix, modelRoutes);
  }
  app.route('/', anthropicRoutes);
  app.route('/anthropic', anthropicRoutes);
  app.route('/anthropic', modelRoutes);
  app.get('/anthropic/models', clientFormat('anthropic'), apiKeyAuth({ scope: 'chat' }), (c) => modelList(c));
  app.route('/', geminiRoutes);
  app.route('/', imageRoutes);
  app.route('/openai', imageRoutes);
  app.route('/gemini', geminiRoutes);
  for (const path of AGENT_API_PATHS) {
    app.get(`${path}/responses`, requireWebSocketUpgrade(), clientFormat('openai-responses'), apiKeyAuth({ scope: 'chat', kind: 'agent' }), responsesSocket);
    app.route(path, agentRoutes);
  }

  app.use('/admin/*', adminAuth());
  app.route('/admin/providers', providerAdminRoutes);
  app.route('/admin/keys', keyAdminRoutes);
  app.route('/admin/usage', usageAdminRoutes);
  app.route('/admin', usageCsvRoutes);
  app.route('/admin/prices', priceAdminRoutes);
  app.route('/admin/accounts', accountAdminRoutes);
  app.route('/dashboard', dashboardRoutes);
  app.route('/', onboardingRoutes);

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    // basePathOf throws on an invalid BASE_PATH, so a misconfigured relay answers 500, not 404.
    const base = basePathOf(c.env);
    const hint = base !== '' && !isUnderBasePath(path, base) ? ` (this relay is served under ${base})` : '';
    return errorResponse(c, new RelayError('not_found', 404, `no route for ${c.req.method} ${path}${hint}`));
  });
  app.onError((error, c) => {
    const relayError = toRelayError(error);
    if (!(error instanceof RelayError)) console.error(JSON.stringify({ message: 'unhandled error', requestId: c.var.requestId, error: String(error), stack: error.stack }));
    return errorResponse(c, relayError);
  });
  return app;
};

import { Hono } from 'hono';
import type { MiddlewareHandler } from 'hono';
import { basePathOf, publicPath } from '../base-path';
import { adminTokenState, isAdminToken, WEAK_ADMIN_TOKEN } from '../auth/admin-token';
import { throttleBucketOf, loginLockedFor, loginRetryMessage, recordLoginFailure } from '../auth/login-throttle';
import { configOf } from '../env';
import { toRelayError } from '../errors';
import { accountPages } from './accounts';
import { DASHBOARD_CSS, DASHBOARD_JS } from './assets';
import { sameOriginOnly, verifyCsrf } from './csrf';
import { readForm, textField } from './form';
import { imagePages } from './images';
import { keyPages } from './keys';
import { Document } from './layout';
import { modelPages } from './models';
import { providerPages } from './providers';
import { requestPages } from './requests';
import { endSession, requireSession, startSession, type DashboardEnv } from './session';
import { usagePages } from './usage';

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Pages show secrets once (new keys) and live figures: never cached, never framed, no inline script. */
const dashboardHeaders = (): MiddlewareHandler<DashboardEnv> =>
  async function dashboardHeaders(c, next) {
    await next();
    c.header('cache-control', 'no-store');
    c.header('content-security-policy', CONTENT_SECURITY_POLICY);
    c.header('x-frame-options', 'DENY');
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'same-origin');
  };

const LoginPage = ({ base, error, disabled, weak }: { base: string; error?: string; disabled?: boolean; weak?: boolean }) => (
  <Document title="Log in · polyrelay" base={base}>
    <main class="login">
      <div class="card">
        <h1>polyrelay dashboard</h1>
        {disabled ? (
          <div class="flash error">{weak ? WEAK_ADMIN_TOKEN : 'The dashboard is disabled: set the ADMIN_TOKEN secret.'}</div>
        ) : (
          <form method="post" action={`${base}/dashboard/login`}>
            {error ? <div class="flash error">{error}</div> : null}
            <label>
              Admin token
              <input type="password" name="token" autocomplete="current-password" required autofocus />
            </label>
            <p>
              <button type="submit">Log in</button>
            </p>
          </form>
        )}
      </div>
    </main>
  </Document>
);

/**
 * /dashboard: the operator's pages. Log in with ADMIN_TOKEN; everything after that rides on the signed
 * session cookie (see session.ts) and CSRF-checked forms (see csrf.ts).
 */
export const dashboardRoutes = new Hono<DashboardEnv>();

dashboardRoutes.use(dashboardHeaders());
dashboardRoutes.get('/assets/app.css', (c) => c.body(DASHBOARD_CSS, 200, { 'content-type': 'text/css; charset=utf-8' }));
dashboardRoutes.get('/assets/app.js', (c) => c.body(DASHBOARD_JS, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
dashboardRoutes.get('/login', (c) => {
  const state = adminTokenState(c.env);
  return c.html(<LoginPage base={basePathOf(c.env)} disabled={state.kind !== 'ok'} weak={state.kind === 'weak'} />, state.kind === 'ok' ? 200 : 403);
});
dashboardRoutes.post('/login', sameOriginOnly(), async (c) => {
  const state = adminTokenState(c.env);
  if (state.kind !== 'ok') return c.html(<LoginPage base={basePathOf(c.env)} disabled weak={state.kind === 'weak'} />, 403);
  const token = textField(await readForm(c), 'token') ?? '';
  const ip = throttleBucketOf(c.req.raw, configOf(c.env).devMode);
  const now = Date.now();
  const lockedFor = await loginLockedFor(c.env.TASKS, ip, now);
  if (lockedFor !== null) {
    c.header('retry-after', String(lockedFor));
    return c.html(<LoginPage base={basePathOf(c.env)} error={loginRetryMessage(lockedFor)} />, 429);
  }
  if (!isAdminToken(state, token)) {
    await recordLoginFailure(c.env.TASKS, ip, now);
    return c.html(<LoginPage base={basePathOf(c.env)} error="That is not the admin token." />, 401);
  }
  await startSession(c, state.token, now);
  return c.redirect(publicPath(c.env, '/dashboard/keys'), 303);
});

dashboardRoutes.use(requireSession(), verifyCsrf());
dashboardRoutes.get('/', (c) => c.redirect(publicPath(c.env, '/dashboard/keys'), 303));
dashboardRoutes.post('/logout', async (c) => {
  await endSession(c);
  return c.redirect(publicPath(c.env, '/dashboard/login'), 303);
});
dashboardRoutes.route('/keys', keyPages);
dashboardRoutes.route('/providers', providerPages);
dashboardRoutes.route('/models', modelPages);
dashboardRoutes.route('/accounts', accountPages);
dashboardRoutes.route('/usage', usagePages);
dashboardRoutes.route('/requests', requestPages);
dashboardRoutes.route('/images', imagePages);

dashboardRoutes.onError(async (error, c) => {
  const relayError = toRelayError(error);
  if (relayError.status >= 500) console.error(JSON.stringify({ message: 'dashboard error', requestId: c.var.requestId, error: String(error), stack: error.stack }));
  const page = await c.html(
    <Document title="Error · polyrelay" base={basePathOf(c.env)}>
      <main>
        <div class="flash error">{relayError.message}</div>
        <a href={publicPath(c.env, '/dashboard/keys')}>Back to the dashboard</a>
      </main>
    </Document>,
  );
  return new Response(page.body, { status: relayError.status, headers: page.headers });
});

import { Hono } from 'hono';
import type { MiddlewareHandler } from 'hono';
import { timingSafeEqual } from '../auth/key-hash';
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

const LoginPage = ({ error, disabled }: { error?: string; disabled?: boolean }) => (
  <Document title="Log in · polyrelay">
    <main class="login">
      <div class="card">
        <h1>polyrelay dashboard</h1>
        {disabled ? (
          <div class="flash error">The dashboard is disabled: set the ADMIN_TOKEN secret.</div>
        ) : (
          <form method="post" action="/dashboard/login">
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
dashboardRoutes.get('/login', (c) => c.html(<LoginPage disabled={!c.env.ADMIN_TOKEN} />, c.env.ADMIN_TOKEN ? 200 : 403));
dashboardRoutes.post('/login', sameOriginOnly(), async (c) => {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) return c.html(<LoginPage disabled />, 403);
  const token = textField(await readForm(c), 'token') ?? '';
  if (!timingSafeEqual(token, expected)) return c.html(<LoginPage error="That is not the admin token." />, 401);
  await startSession(c, expected, Date.now());
  return c.redirect('/dashboard/keys', 303);
});

dashboardRoutes.use(requireSession(), verifyCsrf());
dashboardRoutes.get('/', (c) => c.redirect('/dashboard/keys', 303));
dashboardRoutes.post('/logout', (c) => {
  endSession(c);
  return c.redirect('/dashboard/login', 303);
});
dashboardRoutes.route('/keys', keyPages);
dashboardRoutes.route('/providers', providerPages);
dashboardRoutes.route('/models', modelPages);
dashboardRoutes.route('/accounts', accountPages);
dashboardRoutes.route('/usage', usagePages);
dashboardRoutes.route('/images', imagePages);

dashboardRoutes.onError(async (error, c) => {
  const relayError = toRelayError(error);
  if (relayError.status >= 500) console.error(JSON.stringify({ message: 'dashboard error', requestId: c.var.requestId, error: String(error), stack: error.stack }));
  const page = await c.html(
    <Document title="Error · polyrelay">
      <main>
        <div class="flash error">{relayError.message}</div>
        <a href="/dashboard/keys">Back to the dashboard</a>
      </main>
    </Document>,
  );
  return new Response(page.body, { status: relayError.status, headers: page.headers });
});

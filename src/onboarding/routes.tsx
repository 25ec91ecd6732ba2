import { Hono } from 'hono';
import type { Context } from 'hono';
import { basePathOf, publicBaseUrl } from '../base-path';
import { configOf, type AppEnv } from '../env';
import { loadRouteTable } from '../routing/route-table';
import { snippetGroups, type ModelNames } from './configs';
import { routedModelNames } from './routed-models';
import { discoveryDocument } from './discovery';
import { DocsPage } from './docs-page';
import { relayOrigin } from './origin';
import { setupScript } from './setup-script';

/** Model names from the query fill the snippets; anything but a plain model id is ignored so a link cannot plant shell text. */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,99}$/;

const modelsFrom = async (c: Context<AppEnv>): Promise<ModelNames> => {
  const routed = routedModelNames(await loadRouteTable(c.env, Date.now(), c.executionCtx));
  const pick = (name: string, fallback: string): string => {
    const value = c.req.query(name) ?? c.req.query('model');
    return value !== undefined && MODEL_NAME.test(value) ? value : fallback;
  };
  return {
    anthropic: pick('anthropic_model', routed.anthropic),
    openai: pick('openai_model', routed.openai),
    gemini: pick('gemini_model', routed.gemini),
  };
};

/** The relay's own base URL: the origin the request came in on plus BASE_PATH. */
const relayBaseUrl = (c: Context<AppEnv>): string => publicBaseUrl(c, relayOrigin(c));

const docs = async (c: Context<AppEnv>) => {
  const base = relayBaseUrl(c);
  const models = await modelsFrom(c);
  c.header('content-security-policy', "default-src 'none'; script-src 'self'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  c.header('x-content-type-options', 'nosniff');
  // The configs embed the origin the request came in on, so shared caches must key on Host.
  c.header('vary', 'Host');
  return c.html(<DocsPage base={base} basePath={basePathOf(c.env)} models={models} groups={snippetGroups(base, models)} />);
};

/** The public onboarding surface: GET /, /docs, /setup.sh and /.well-known/polyrelay.json. */
export const onboardingRoutes = new Hono<AppEnv>()
  .get('/', docs)
  .get('/docs', docs)
  .get('/setup.sh', (c) =>
    c.body(setupScript(relayBaseUrl(c), configOf(c.env).keyPrefix), 200, {
      'content-type': 'text/x-shellscript; charset=utf-8',
      'x-content-type-options': 'nosniff',
      vary: 'Host',
    }),
  )
  .get('/.well-known/polyrelay.json', (c) => {
    c.header('access-control-allow-origin', '*');
    c.header('vary', 'Host');
    return c.json(discoveryDocument(relayBaseUrl(c), configOf(c.env).keyPrefix));
  });

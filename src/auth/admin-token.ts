import { configOf, type Env } from '../env';
import { timingSafeEqual } from './key-hash';

/** Values that have shipped in .dev.vars.example: public knowledge, so never a real token. */
const EXAMPLE_TOKENS: ReadonlySet<string> = new Set(['dev-admin-token-change-me', 'change-me', 'changeme']);
export const MIN_ADMIN_TOKEN_CHARS = 24;

export const WEAK_ADMIN_TOKEN =
  `ADMIN_TOKEN is an example value or shorter than ${MIN_ADMIN_TOKEN_CHARS} characters, so the admin API and dashboard are off; ` +
  'set a random one (openssl rand -hex 32 | wrangler secret put ADMIN_TOKEN)';

/**
 * The admin token in force, or why there is none. Outside dev (DEV_MODE, set by `npm run dev` and the
 * test suites) a short or example token counts as no token: a deployment must not be one guess away.
 */
export type AdminTokenState = { kind: 'unset' } | { kind: 'weak' } | { kind: 'ok'; token: string };

export const adminTokenState = (env: Env): AdminTokenState => {
  const token = env.ADMIN_TOKEN;
  if (!token) return { kind: 'unset' };
  if (!configOf(env).devMode && (token.length < MIN_ADMIN_TOKEN_CHARS || EXAMPLE_TOKENS.has(token))) return { kind: 'weak' };
  return { kind: 'ok', token };
};

/** The token from `Authorization: Bearer …`, or undefined. */
export const bearerTokenOf = (header: string | undefined): string | undefined => {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  const token = match?.[1]?.trim();
  return token === undefined || token === '' ? undefined : token;
};

export const isAdminToken = (state: AdminTokenState, presented: string): boolean =>
  state.kind === 'ok' && timingSafeEqual(presented, state.token);

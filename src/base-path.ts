import type { Context } from 'hono';
import { getPath } from 'hono/utils/url';
import { configOf, type Env } from './env';
import { normaliseBasePath } from './normalise-base-path';

/** The prefix every public path starts with ('' when BASE_PATH is unset). Throws on an invalid BASE_PATH. */
export const basePathOf = (env: Env): string => (env.BASE_PATH ? configOf(env).basePath : '');

/** A root-relative path as the client must send it: `/dashboard/keys` → `/llm-api/dashboard/keys`. */
export const publicPath = (env: Env, path: string): string => `${basePathOf(env)}${path}`;

/** The relay's public base URL as a client reached it: the request's origin plus the base path. */
export const publicBaseUrl = <E extends { Bindings: Env }>(c: Context<E>, origin = new URL(c.req.url).origin): string => `${origin}${basePathOf(c.env)}`;

/** True when `path` is the base path itself or lies below it. */
export const isUnderBasePath = (path: string, base: string): boolean =>
  path.startsWith(base) && (path.length === base.length || path.charCodeAt(base.length) === 47);

/**
 * What the router sees for a path outside the base path (or for any path while BASE_PATH is invalid):
 * no route is registered on it, so the app-wide middleware run and the not-found handler answers in
 * the caller's shape.
 */
const OUTSIDE_BASE_PATH = '/\u0000outside-base-path';

let memo: { raw: string; base: string | null } = { raw: '', base: '' };

/**
 * Hono's `getPath` for the app: the path to route on. With BASE_PATH unset this is Hono's own
 * getPath plus one property read; with it set, one prefix check and a slice.
 */
export const routedPath = (request: Request, options?: { env?: Env }): string => {
  const path = getPath(request);
  const raw = options?.env?.BASE_PATH;
  if (!raw) return path;
  if (memo.raw !== raw) memo = { raw, base: normaliseBasePath(raw) };
  const base = memo.base;
  if (base === '') return path;
  if (base === null || !isUnderBasePath(path, base)) return OUTSIDE_BASE_PATH;
  return path.length === base.length ? '/' : path.slice(base.length);
};

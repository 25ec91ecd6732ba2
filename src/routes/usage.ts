import { Hono } from 'hono';
import { apiKeyAuth } from '../auth/middleware';
import type { AppEnv } from '../env';
import { invalidRequest } from '../errors';
import { DEFAULT_SUMMARY_DAYS, MAX_SUMMARY_DAYS, usageSummary } from '../usage/summary';
import { clientFormat } from './client-format';

/** `days` must be a plain integer 1–90 when given; "7.5", "", "1e1" and "030" are refused, not guessed at. */
const parseDays = (raw: string | undefined): number => {
  if (raw === undefined) return DEFAULT_SUMMARY_DAYS;
  const days = /^[1-9]\d{0,2}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(days >= 1 && days <= MAX_SUMMARY_DAYS)) {
    throw invalidRequest(`days must be an integer from 1 to ${MAX_SUMMARY_DAYS}, got "${raw}"`, 'days');
  }
  return days;
};

/** GET /v1/usage?days=N: the calling key's usage summary, quota and (prepaid) balance. */
export const usageRoutes = new Hono<AppEnv>().get('/v1/usage', clientFormat('openai-chat'), apiKeyAuth({ scope: 'chat' }), async (c) => {
  const days = parseDays(c.req.query('days'));
  return c.json(await usageSummary(c.env, c.var.apiKey, days, Date.now()));
});

import type { Context } from 'hono';
import type { BackgroundContext } from './refreshing-map';

/** The request's ExecutionContext, or undefined where there is none (Hono's app.request() in tests throws on access). */
export const backgroundOf = (c: Context): BackgroundContext | undefined => {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
};

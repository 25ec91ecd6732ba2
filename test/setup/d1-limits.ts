import { env } from 'cloudflare:workers';
import { afterAll, beforeAll } from 'vitest';
import { D1_MAX_BOUND_PARAMETERS } from '../../src/db/d1-limits';

/**
 * Local D1 is SQLite with its own, much higher, variable limit; production D1 refuses a statement
 * binding more than 100 parameters. This holds every statement bound in the test's isolate (the
 * Worker under test included) to production's limit, with production's error message.
 */
export const enforceProductionD1Limits = (): void => {
  const prototype = Object.getPrototypeOf(env.DB.prepare('SELECT 1')) as D1PreparedStatement;
  const bind = prototype.bind;
  beforeAll(() => {
    prototype.bind = function boundWithinLimit(this: D1PreparedStatement, ...values: unknown[]) {
      if (values.length > D1_MAX_BOUND_PARAMETERS) throw new Error(`D1_ERROR: too many SQL variables (${values.length} bound, D1 allows ${D1_MAX_BOUND_PARAMETERS})`);
      return bind.apply(this, values);
    };
  });
  afterAll(() => {
    prototype.bind = bind;
  });
};

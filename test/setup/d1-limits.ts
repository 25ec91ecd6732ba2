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

/** How many statements D1 prepared while `run` ran (the Worker under test included): one query per row shows up here. */
export const statementsPreparedDuring = async (run: () => Promise<unknown>): Promise<number> => {
  const prototype = Object.getPrototypeOf(env.DB) as D1Database;
  const prepare = prototype.prepare;
  let count = 0;
  prototype.prepare = function countedPrepare(this: D1Database, query: string) {
    count++;
    return prepare.call(this, query);
  };
  try {
    await run();
  } finally {
    prototype.prepare = prepare;
  }
  return count;
};

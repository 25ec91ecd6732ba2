// Bindings "far away", for the Worker tests and `npm run bench:distance` only (never production code):
// every D1 call and every QuotaLimiter RPC sleeps `oneWayMs` before and after it, as a round trip to
// D1's primary or to a Durable Object on another continent would. Local work (idFromName, get, prepare,
// bind) costs nothing, as in production.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const far = (oneWayMs, call) => async (...args) => {
  await sleep(oneWayMs);
  const result = await call(...args);
  await sleep(oneWayMs);
  return result;
};

const STATEMENT_CALLS = new Set(['first', 'all', 'run', 'raw']);
// batch() needs the real statements back: workerd checks their type.
const realStatement = new WeakMap();

const farStatement = (statement, oneWayMs) => {
  const proxy = new Proxy(statement, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (name === 'bind') return (...args) => farStatement(target.bind(...args), oneWayMs);
      if (STATEMENT_CALLS.has(name)) return far(oneWayMs, value.bind(target));
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  realStatement.set(proxy, statement);
  return proxy;
};

/** D1Database or D1DatabaseSession with every query a round trip away. */
export const farD1 = (db, oneWayMs) =>
  new Proxy(db, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (name === 'prepare') return (sql) => farStatement(target.prepare(sql), oneWayMs);
      if (name === 'batch') return far(oneWayMs, (statements) => target.batch(statements.map((statement) => realStatement.get(statement) ?? statement)));
      if (name === 'exec' || name === 'dump') return far(oneWayMs, value.bind(target));
      if (name === 'withSession') return (...args) => farD1(target.withSession(...args), oneWayMs);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

const farStub = (stub, oneWayMs) =>
  new Proxy(stub, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      // Every RPC method (admit, refund, release, status, reset) and fetch: one round trip each. (An RPC
      // stub answers any property name with a remote method, so `value.bind` would be a remote call too.)
      return typeof value === 'function' ? far(oneWayMs, (...args) => target[name](...args)) : value;
    },
  });

/** A Durable Object namespace whose stubs answer a round trip away. */
export const farNamespace = (namespace, oneWayMs) =>
  new Proxy(namespace, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (name === 'get' || name === 'getByName') return (...args) => farStub(target[name](...args), oneWayMs);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

const farEnvs = new WeakMap();

/**
 * env with DB and QUOTA `oneWayMs` away; the same object for the same env, so per-env caches in the
 * relay (its parsed config) stay warm as they do in production.
 */
export const farEnv = (env, oneWayMs) => {
  let wrapped = farEnvs.get(env);
  if (wrapped === undefined || wrapped.oneWayMs !== oneWayMs) {
    wrapped = { oneWayMs, env: { ...env, DB: farD1(env.DB, oneWayMs), QUOTA: farNamespace(env.QUOTA, oneWayMs) } };
    farEnvs.set(env, wrapped);
  }
  return wrapped.env;
};

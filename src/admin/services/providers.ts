import { eq } from 'drizzle-orm';
import { batchAll, chunkedInsert } from '../../db/chunked-insert';
import { type Db, dbOf, tables } from '../../db/client';
import { findProvider, listProviders as listProviderViews, type publicProviderView } from '../../db/providers';
import type { Env } from '../../env';
import { RelayError } from '../../errors';
import { forgetRouteTable } from '../../routing/route-table';
import { pricedModelNames, unpricedRouteWarnings } from '../../usage/unpriced-routes';
import { modelRoutesOf, type ProviderCreate, type ProviderUpdate } from '../provider-schema';
import { sealNewProviderSecrets, sealUpdatedProviderSecrets } from '../seal-provider-secrets';

/** The admin view of a provider: never the upstream key, only whether one is set. */
export type ProviderView = ReturnType<typeof publicProviderView>;

/** A new provider, and the routes it serves that have no price yet (their usage would be recorded at $0). */
export type CreatedProvider = ProviderView & { warnings: string[] };

/** A catalog may list thousands of models: the routes go in as many INSERTs as D1's parameter limit needs. */
const insertRoutes = (db: Db, providerId: string, models: ProviderCreate['models']) =>
  chunkedInsert(
    tables.modelRoutes,
    modelRoutesOf(models).map((route) => ({ ...route, providerId })),
    (chunk) => db.insert(tables.modelRoutes).values(chunk).onConflictDoNothing(),
  );

const notFound = (id: string) => new RelayError('not_found', 404, `provider "${id}" not found`);

const requireProvider = async (db: Db, id: string): Promise<ProviderView> => {
  const provider = await findProvider(db, id);
  if (provider === undefined) throw notFound(id);
  return provider;
};

/** Every write is visible to the next request: the route table is forgotten after it. */
export const createProvider = async (env: Env, input: ProviderCreate): Promise<CreatedProvider> => {
  const db = dbOf(env.DB);
  if ((await findProvider(db, input.id)) !== undefined) throw new RelayError('invalid_request', 409, `provider "${input.id}" already exists`);
  const now = Date.now();
  await db.batch([
    db.insert(tables.providers).values({
      id: input.id,
      protocol: input.protocol,
      baseUrl: input.baseUrl,
      ...(await sealNewProviderSecrets(env, input)),
      priority: input.priority,
      weight: input.weight,
      enabled: input.enabled,
      firstByteTimeoutMs: input.firstByteTimeoutMs ?? null,
      idleTimeoutMs: input.idleTimeoutMs ?? null,
      maxRetries: input.maxRetries ?? null,
      createdAt: now,
      updatedAt: now,
    }),
    ...insertRoutes(db, input.id, input.models),
  ]);
  await forgetRouteTable();
  // The built-in mock is free by design; any other route without a price would record its usage at $0.
  const warnings = input.protocol === 'mock' ? [] : unpricedRouteWarnings(modelRoutesOf(input.models), await pricedModelNames(db));
  return { ...(await requireProvider(db, input.id)), warnings };
};

export const listProviders = (env: Env): Promise<ProviderView[]> => listProviderViews(dbOf(env.DB));

export const getProvider = (env: Env, id: string): Promise<ProviderView> => requireProvider(dbOf(env.DB), id);

/** The provider, or null when there is none (a page that shows "not found" instead of failing). */
export const findProviderById = async (env: Env, id: string): Promise<ProviderView | null> => (await findProvider(dbOf(env.DB), id)) ?? null;

/** Changes what the input names; `models` replaces the provider's routes. */
export const updateProvider = async (env: Env, id: string, input: ProviderUpdate): Promise<ProviderView> => {
  const db = dbOf(env.DB);
  const current = await requireProvider(db, id);
  const { models, apiKey: _apiKey, headers: _headers, ...fields } = input;
  const update = { ...fields, updatedAt: Date.now(), ...(await sealUpdatedProviderSecrets(env, current, input)) };
  const replaceRoutes = models === undefined ? [] : [db.delete(tables.modelRoutes).where(eq(tables.modelRoutes.providerId, id)), ...insertRoutes(db, id, models)];
  await batchAll(db, [db.update(tables.providers).set(update).where(eq(tables.providers.id, id)), ...replaceRoutes]);
  await forgetRouteTable();
  return requireProvider(db, id);
};

/** Deletes the provider and its model routes. */
export const deleteProvider = async (env: Env, id: string): Promise<{ id: string; deleted: true }> => {
  const db = dbOf(env.DB);
  await requireProvider(db, id);
  await db.batch([db.delete(tables.modelRoutes).where(eq(tables.modelRoutes.providerId, id)), db.delete(tables.providers).where(eq(tables.providers.id, id))]);
  await forgetRouteTable();
  return { id, deleted: true };
};

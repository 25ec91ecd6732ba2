import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { batchAll, chunkedInsert } from '../db/chunked-insert';
import { type Db, dbOf, tables } from '../db/client';
import { findProvider, listProviders } from '../db/providers';
import type { AppEnv } from '../env';
import { RelayError } from '../errors';
import { forgetRouteTable } from '../routing/route-table';
import { modelRoutesOf, type ProviderCreate, providerCreateSchema, providerUpdateSchema } from './provider-schema';
import { sealNewProviderSecrets, sealUpdatedProviderSecrets } from './seal-provider-secrets';
import { parseAdminBody } from './validate';
import { pricedModelNames, unpricedRouteWarnings } from '../usage/unpriced-routes';

/** A catalog may list thousands of models: the routes go in as many INSERTs as D1's parameter limit needs. */
const insertRoutes = (db: Db, providerId: string, models: ProviderCreate['models']) =>
  chunkedInsert(
    tables.modelRoutes,
    modelRoutesOf(models).map((route) => ({ ...route, providerId })),
    (chunk) => db.insert(tables.modelRoutes).values(chunk).onConflictDoNothing(),
  );

const notFound = (id: string) => new RelayError('not_found', 404, `provider "${id}" not found`);

/** /admin/providers: create, list, read, update, delete. Every write is visible to the next request. */
export const providerAdminRoutes = new Hono<AppEnv>()
  .post('/', async (c) => {
    const input = await parseAdminBody(c.req.raw, providerCreateSchema);
    const db = dbOf(c.env.DB);
    if ((await findProvider(db, input.id)) !== undefined) throw new RelayError('invalid_request', 409, `provider "${input.id}" already exists`);
    const now = Date.now();
    await db.batch([
      db.insert(tables.providers).values({
        id: input.id,
        protocol: input.protocol,
        baseUrl: input.baseUrl,
        ...(await sealNewProviderSecrets(c.env, input)),
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
    return c.json({ ...(await findProvider(db, input.id)), warnings }, 201);
  })
  .get('/', async (c) => c.json({ data: await listProviders(dbOf(c.env.DB)) }))
  .get('/:id', async (c) => {
    const provider = await findProvider(dbOf(c.env.DB), c.req.param('id'));
    if (provider === undefined) throw notFound(c.req.param('id'));
    return c.json(provider);
  })
  .patch('/:id', async (c) => {
    const id = c.req.param('id');
    const input = await parseAdminBody(c.req.raw, providerUpdateSchema);
    const db = dbOf(c.env.DB);
    const current = await findProvider(db, id);
    if (current === undefined) throw notFound(id);
    const { models, apiKey: _apiKey, headers: _headers, ...fields } = input;
    const update = { ...fields, updatedAt: Date.now(), ...(await sealUpdatedProviderSecrets(c.env, current, input)) };
    const replaceRoutes = models === undefined ? [] : [db.delete(tables.modelRoutes).where(eq(tables.modelRoutes.providerId, id)), ...insertRoutes(db, id, models)];
    await batchAll(db, [db.update(tables.providers).set(update).where(eq(tables.providers.id, id)), ...replaceRoutes]);
    await forgetRouteTable();
    return c.json(await findProvider(db, id));
  })
  .delete('/:id', async (c) => {
    const id = c.req.param('id');
    const db = dbOf(c.env.DB);
    if ((await findProvider(db, id)) === undefined) throw notFound(id);
    await db.batch([db.delete(tables.modelRoutes).where(eq(tables.modelRoutes.providerId, id)), db.delete(tables.providers).where(eq(tables.providers.id, id))]);
    await forgetRouteTable();
    return c.json({ id, deleted: true });
  });

import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { encryptSecret } from '../crypto/secret-box';
import { batchAll, chunkedInsert } from '../db/chunked-insert';
import { type Db, dbOf, tables } from '../db/client';
import { findProvider, listProviders } from '../db/providers';
import type { AppEnv, Env } from '../env';
import { RelayError } from '../errors';
import { invalidateRouteTable } from '../routing/route-table';
import { modelRoutesOf, type ProviderCreate, providerCreateSchema, providerUpdateSchema } from './provider-schema';
import { parseAdminBody } from './validate';

const sealKey = async (env: Env, apiKey: string | undefined): Promise<string | null> => {
  if (apiKey === undefined) return null;
  if (!env.ENCRYPTION_KEY) throw new RelayError('api_error', 500, 'relay misconfigured: set the ENCRYPTION_KEY secret to store upstream keys');
  return encryptSecret(env.ENCRYPTION_KEY, apiKey);
};

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
        apiKeyEncrypted: await sealKey(c.env, input.apiKey),
        priority: input.priority,
        weight: input.weight,
        headers: input.headers,
        enabled: input.enabled,
        firstByteTimeoutMs: input.firstByteTimeoutMs ?? null,
        idleTimeoutMs: input.idleTimeoutMs ?? null,
        maxRetries: input.maxRetries ?? null,
        createdAt: now,
        updatedAt: now,
      }),
      ...insertRoutes(db, input.id, input.models),
    ]);
    invalidateRouteTable();
    return c.json(await findProvider(db, input.id), 201);
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
    if ((await findProvider(db, id)) === undefined) throw notFound(id);
    const { models, apiKey, ...fields } = input;
    const update = { ...fields, updatedAt: Date.now(), ...(apiKey === undefined ? {} : { apiKeyEncrypted: await sealKey(c.env, apiKey) }) };
    const replaceRoutes = models === undefined ? [] : [db.delete(tables.modelRoutes).where(eq(tables.modelRoutes.providerId, id)), ...insertRoutes(db, id, models)];
    await batchAll(db, [db.update(tables.providers).set(update).where(eq(tables.providers.id, id)), ...replaceRoutes]);
    invalidateRouteTable();
    return c.json(await findProvider(db, id));
  })
  .delete('/:id', async (c) => {
    const id = c.req.param('id');
    const db = dbOf(c.env.DB);
    if ((await findProvider(db, id)) === undefined) throw notFound(id);
    await db.batch([db.delete(tables.modelRoutes).where(eq(tables.modelRoutes.providerId, id)), db.delete(tables.providers).where(eq(tables.providers.id, id))]);
    invalidateRouteTable();
    return c.json({ id, deleted: true });
  });

import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { providerCreateSchema, providerUpdateSchema } from './provider-schema';
import { createProvider, deleteProvider, getProvider, listProviders, updateProvider } from './services/providers';
import { parseAdminBody } from './validate';

/** /admin/providers: create, list, read, update, delete (services/providers.ts does the work). */
export const providerAdminRoutes = new Hono<AppEnv>()
  .post('/', async (c) => c.json(await createProvider(c.env, await parseAdminBody(c.req.raw, providerCreateSchema)), 201))
  .get('/', async (c) => c.json({ data: await listProviders(c.env) }))
  .get('/:id', async (c) => c.json(await getProvider(c.env, c.req.param('id'))))
  .patch('/:id', async (c) => c.json(await updateProvider(c.env, c.req.param('id'), await parseAdminBody(c.req.raw, providerUpdateSchema))))
  .delete('/:id', async (c) => c.json(await deleteProvider(c.env, c.req.param('id'))));

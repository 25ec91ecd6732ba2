import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { keyCreateSchema, keyUpdateSchema } from './key-schema';
import { createKey, getKey, listKeys, resetKeyQuota, revokeKey, updateKey } from './services/keys';
import { parseAdminBody } from './validate';

/** /admin/keys: the plaintext key is returned once, at creation (services/keys.ts does the work). */
export const keyAdminRoutes = new Hono<AppEnv>()
  .post('/', async (c) => c.json(await createKey(c.env, await parseAdminBody(c.req.raw, keyCreateSchema)), 201))
  .get('/', async (c) => c.json({ data: await listKeys(c.env) }))
  .get('/:id', async (c) => c.json(await getKey(c.env, c.req.param('id'))))
  .patch('/:id', async (c) => c.json(await updateKey(c.env, c.req.param('id'), await parseAdminBody(c.req.raw, keyUpdateSchema))))
  .delete('/:id', async (c) => c.json(await revokeKey(c.env, c.req.param('id'))))
  .post('/:id/reset-quota', async (c) => c.json(await resetKeyQuota(c.env, c.req.param('id'))));

import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { priceListSchema, priceSchema } from './price-schema';
import { deletePrice, getPrice, listPrices, setPrice, setPrices } from './services/prices';
import { parseAdminBody } from './validate';

/** /admin/prices: one price per public model (services/prices.ts does the work). Model names may contain slashes. */
export const priceAdminRoutes = new Hono<AppEnv>()
  .get('/', async (c) => c.json({ object: 'list', data: await listPrices(c.env) }))
  .put('/', async (c) => c.json({ object: 'list', data: await setPrices(c.env, await parseAdminBody(c.req.raw, priceListSchema)) }))
  .get('/:model{.+}', async (c) => c.json(await getPrice(c.env, c.req.param('model'))))
  .put('/:model{.+}', async (c) => {
    const { price, created } = await setPrice(c.env, c.req.param('model'), await parseAdminBody(c.req.raw, priceSchema));
    return c.json(price, created ? 201 : 200);
  })
  .delete('/:model{.+}', async (c) => c.json(await deletePrice(c.env, c.req.param('model'))));

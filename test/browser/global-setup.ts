import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { createTestHarness } from 'wrangler';

declare module 'vitest' {
  export interface ProvidedContext {
    relayUrl: string;
    adminToken: string;
  }
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN_TOKEN = 'browser-admin-token';

/**
 * The relay from wrangler.toml in wrangler's test harness (real local D1, KV, Durable Objects, Queues),
 * migrations applied and the built-in mock provider added through the admin API, as `npm run dev` does.
 */
export default async function setup(project: TestProject) {
  const server = createTestHarness({
    root,
    workers: [
      {
        configPath: 'wrangler.toml',
        secrets: { ADMIN_TOKEN, ENCRYPTION_KEY: 'browser-encryption-key', WEBHOOK_SECRET: 'browser-webhook-secret' },
        vars: { ALLOW_PRIVATE_URLS: 'true', DEV_MODE: 'true', ENABLE_MOCK_PROVIDER: 'true', USAGE_FOLD_SECONDS: '0' },
      },
    ],
  });
  const { url } = await server.listen();
  await server.getWorker().applyD1Migrations('DB');
  const relayUrl = url.toString().replace(/\/$/, '');
  const admin = async (method: string, pathName: string, body: unknown) => {
    const response = await fetch(`${relayUrl}/admin${pathName}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error(`admin ${pathName}: ${response.status} ${await response.text()}`);
  };
  await admin('POST', '/providers', { id: 'mock', protocol: 'mock', baseUrl: 'mock://', models: ['mock-*'], priority: 100 });
  // A price, so the cost charts have something to draw.
  await admin('PUT', '/prices/mock-1', { inputPerMillion: 3000, outputPerMillion: 15000 });

  project.provide('relayUrl', relayUrl);
  project.provide('adminToken', ADMIN_TOKEN);
  return async () => {
    await server.close();
  };
}

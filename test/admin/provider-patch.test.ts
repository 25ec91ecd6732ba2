import { expect, it } from 'vitest';
import { admin } from '../setup/seed';

it('a PATCH changes only the fields it names: weight, enabled, headers and priority keep their values', async () => {
  const created = await admin('POST', '/providers', {
    id: 'patch-keeps',
    protocol: 'openai-chat',
    baseUrl: 'https://patch-keeps.example/v1',
    apiKey: 'sk-patch-keeps-0000000000',
    models: ['patch-keeps-model'],
    priority: 3,
    weight: 7,
    enabled: false,
    headers: { 'x-tenant': 'team-a' },
    maxRetries: 4,
  });
  expect(created.status).toBe(201);
  const patched = await admin('PATCH', '/providers/patch-keeps', { priority: 5 });
  expect(patched.status).toBe(200);
  expect(await patched.json()).toMatchObject({ priority: 5, weight: 7, enabled: false, headers: ['x-tenant'], maxRetries: 4, hasApiKey: true });

  const refused = await admin('PATCH', '/providers/patch-keeps', { weight: -1 });
  expect(refused.status).toBe(400);
});

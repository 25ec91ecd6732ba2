import { describe, expect, it } from 'vitest';
import { admin, createKey } from '../setup/seed';

describe('PATCH /admin/keys/:id', () => {
  it('changes only the fields it names (a partial of the create schema reset kind, plan, scopes and billing)', async () => {
    const { id } = await createKey({ kind: 'agent', plan: 'max5x', scopes: ['chat', 'images'] });
    const response = await admin('PATCH', `/keys/${id}`, { name: 'renamed' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: 'renamed', kind: 'agent', plan: 'max5x', scopes: ['chat', 'images'], billing: 'subscription' });
  });
});

import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { isWellFormedKey } from '../../src/auth/key-shape';
import { type Db, dbOf, tables } from '../../src/db/client';
import { findKeyByHash } from '../../src/db/keys';
import { addMockProvider, callRelay, createKey } from '../setup/seed';

const CHAT = { model: 'mock-1', messages: [{ role: 'user', content: 'hi' }] };

describe('unauthenticated memory: malformed keys are refused before hashing, caching or querying', () => {
  it('accepts the shapes the relay issues and nothing else', async () => {
    const { key } = await createKey();
    expect(isWellFormedKey(key, 'sk-relay-')).toBe(true);
    expect(isWellFormedKey(`sk-relay-demo-${'A'.repeat(32)}`, 'sk-relay-')).toBe(true);
    for (const bad of ['sk-relay-short', `sk-relay-${'a'.repeat(65)}`, `sk-other-${'a'.repeat(40)}`, `sk-relay-${'a'.repeat(39)}!`, `sk-relay-${'é'.repeat(40)}`]) {
      expect(isWellFormedKey(bad, 'sk-relay-')).toBe(false);
    }
  });

  it('a flood of 1 MiB random keys is answered 401 in the caller shape without one SHA-256 or D1 query', async () => {
    const digest = vi.spyOn(crypto.subtle, 'digest');
    const prepare = vi.spyOn(env.DB, 'prepare');
    const huge = `sk-relay-${'x'.repeat(1024 * 1024)}`;
    for (let i = 0; i < 20; i++) {
      const response = await callRelay('/v1/messages', {
        method: 'POST',
        headers: { 'x-api-key': `${huge}${i}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'mock-1', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { type: string }).type).toBe('error');
    }
    const garbage = await callRelay('/v1/chat/completions', { method: 'POST', headers: { authorization: 'Bearer not-a-relay-key' }, body: '{}' });
    expect(garbage.status).toBe(401);
    expect(((await garbage.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
    expect(digest).not.toHaveBeenCalled();
    expect(prepare).not.toHaveBeenCalled();
  });
});

describe('?key= only where Gemini SDKs send it', () => {
  it('a key in the query string does not authenticate OpenAI or Anthropic endpoints (it would sit in access logs)', async () => {
    await addMockProvider();
    const { key } = await createKey();
    const chat = await callRelay(`/v1/chat/completions?key=${key}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(CHAT) });
    expect(chat.status).toBe(401);
    const models = await callRelay(`/v1/models?key=${key}`);
    expect(models.status).toBe(401);
    const anthropic = await callRelay(`/anthropic/models?key=${key}`);
    expect(anthropic.status).toBe(401);
  });

  it('Gemini paths still take ?key=', async () => {
    await addMockProvider();
    const { key } = await createKey();
    expect((await callRelay(`/v1beta/models?key=${key}`)).status).toBe(200);
    expect((await callRelay(`/gemini/v1beta/models?key=${key}`)).status).toBe(200);
  });
});

describe('an unknown plan fails closed', () => {
  // D1 enforces the api_keys → plans foreign key, so a dangling plan id comes only from outside the API
  // (a table rebuilt by a migration, a restored dump): the lookup is given such a row directly.
  it('a key whose plan row is missing is refused with a clear 403, not served without limits', async () => {
    const { id } = await createKey({ plan: 'free' });
    const db = dbOf(env.DB);
    const [stored] = await db.select().from(tables.apiKeys).where(eq(tables.apiKeys.id, id));
    if (stored === undefined) throw new Error('key row missing');
    const dangling = { ...stored, planId: 'ghost-plan' };
    const joined = { select: () => ({ from: () => ({ leftJoin: () => ({ where: () => ({ limit: async () => [{ key: dangling, plan: null }] }) }) }) }) };
    const lookup = findKeyByHash(joined as unknown as Db, stored.keyHash);
    await expect(lookup).rejects.toMatchObject({ status: 403, code: 'unknown_plan' });
    await expect(lookup).rejects.toThrow(/ghost-plan/);
  });
});

import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { forgetKeyId, KEY_COLO_TTL_MS, KEY_FRESH_MS, lookupKey, UNKNOWN_KEY_COLO_TTL_MS } from '../../src/auth/key-cache';
import { hashApiKey } from '../../src/auth/key-hash';
import { configOf } from '../../src/env';
import { admin, callRelay, createKey, jsonPost } from '../setup/seed';

const MAX_STALE_MS = configOf(env).keyCacheTtlMs;

/** What the auth middleware decides for this key at `now`: usable, revoked or unknown. */
const verdictAt = async (hash: string, now: number, withBackground = true): Promise<'ok' | 'revoked' | 'unknown'> => {
  const ctx = createExecutionContext();
  const found = await lookupKey(env, hash, now, withBackground ? ctx : undefined);
  await waitOnExecutionContext(ctx);
  return found === undefined ? 'unknown' : found.revokedAt === null ? 'ok' : 'revoked';
};

/** A revocation made behind this isolate's back (another isolate, in another colo, served the DELETE). */
const revokeInD1 = (id: string, at: number) => env.DB.prepare('UPDATE api_keys SET revoked_at = ?1 WHERE id = ?2').bind(at, id).run();

const newKey = async () => {
  const created = await createKey();
  return { ...created, hash: await hashApiKey(created.key) };
};

describe('key cache: revocation bounds with the colo cache in front', () => {
  it('stated bounds', () => {
    expect(KEY_FRESH_MS).toBe(5_000);
    expect(MAX_STALE_MS).toBe(30_000);
    expect(KEY_COLO_TTL_MS).toBeLessThanOrEqual(MAX_STALE_MS);
  });

  it('a busy isolate keeps serving while fresh, then sees the revocation on the request after its background refresh', async () => {
    const key = await newKey();
    const t0 = Date.now();
    expect(await verdictAt(key.hash, t0)).toBe('ok');
    await revokeInD1(key.id, t0);
    expect(await verdictAt(key.hash, t0 + KEY_FRESH_MS - 1)).toBe('ok');
    // Stale: this request is still served from the cache while the refresh runs in its waitUntil...
    expect(await verdictAt(key.hash, t0 + KEY_FRESH_MS + 1)).toBe('ok');
    // ...and the next one is refused.
    expect(await verdictAt(key.hash, t0 + KEY_FRESH_MS + 2)).toBe('revoked');
  });

  it('a quiet isolate never uses a record read more than KEY_CACHE_TTL_SECONDS ago (its colo copy is no newer)', async () => {
    const key = await newKey();
    const t0 = Date.now();
    expect(await verdictAt(key.hash, t0)).toBe('ok');
    await revokeInD1(key.id, t0);
    expect(await verdictAt(key.hash, t0 + MAX_STALE_MS)).toBe('revoked');
  });

  it('a new isolate in the colo takes the colo copy without reading D1, and that copy keeps its read time', async () => {
    const key = await newKey();
    const t0 = Date.now();
    expect(await verdictAt(key.hash, t0)).toBe('ok');
    await revokeInD1(key.id, t0);
    forgetKeyId(key.id); // this isolate's memory gone, as in a fresh isolate; the colo still holds the copy
    // D1 says revoked, the answer is the colo's copy: D1 was not read.
    expect(await verdictAt(key.hash, t0 + 1_000)).toBe('ok');
    // The copy was read at t0, so it is already past fresh at t0 + FRESH: served once while refreshing, then refused.
    expect(await verdictAt(key.hash, t0 + KEY_FRESH_MS + 1)).toBe('ok');
    expect(await verdictAt(key.hash, t0 + KEY_FRESH_MS + 2)).toBe('revoked');
    // A copy past its colo TTL is not used by a cold isolate either.
    forgetKeyId(key.id);
    const key2 = await newKey();
    expect(await verdictAt(key2.hash, t0)).toBe('ok');
    await revokeInD1(key2.id, t0);
    forgetKeyId(key2.id);
    expect(await verdictAt(key2.hash, t0 + KEY_COLO_TTL_MS)).toBe('revoked');
  });

  it('an admin revocation is refused at once by the next request in this isolate and by a new isolate in this colo', async () => {
    const created = await createKey();
    const hash = await hashApiKey(created.key);
    const usage = () => callRelay('/v1/usage', { headers: { authorization: `Bearer ${created.key}` } });
    expect(await verdictAt(hash, Date.now())).toBe('ok');
    expect((await admin('DELETE', `/keys/${created.id}`)).status).toBe(200);
    expect(await verdictAt(hash, Date.now())).toBe('revoked');
    forgetKeyId(created.id);
    expect(await verdictAt(hash, Date.now())).toBe('revoked');
    expect((await usage()).status).toBe(401);
  });

  it('an admin change to a key (its scopes) is seen by the next request in this colo', async () => {
    const created = await createKey({ scopes: ['images'] });
    const hash = await hashApiKey(created.key);
    const scopesAt = async () => (await lookupKey(env, hash, Date.now()))?.key.scopes;
    expect(await scopesAt()).toEqual(['images']);
    expect((await admin('PATCH', `/keys/${created.id}`, { scopes: ['chat'] })).status).toBe(200);
    expect(await scopesAt()).toEqual(['chat']);
    forgetKeyId(created.id);
    expect(await scopesAt()).toEqual(['chat']);
  });

  it('a key created a moment ago works on its first request', async () => {
    const created = await createKey();
    const response = await jsonPost('/v1/chat/completions', created.key, { model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] });
    expect(response.status).toBe(404);
  });

  it('"no such key" is kept by no isolate and by the colo for UNKNOWN_KEY_COLO_TTL_MS only', async () => {
    const key = await newKey();
    const unknownHash = await hashApiKey(`sk-relay-${'u'.repeat(40)}`);
    const t0 = Date.now();
    expect(await verdictAt(unknownHash, t0)).toBe('unknown');
    // A row with that hash appears (as a key created in another colo would, had anyone guessed it before).
    await env.DB.prepare('UPDATE api_keys SET key_hash = ?1 WHERE id = ?2').bind(unknownHash, key.id).run();
    expect(await verdictAt(unknownHash, t0 + UNKNOWN_KEY_COLO_TTL_MS - 1)).toBe('unknown');
    expect(await verdictAt(unknownHash, t0 + UNKNOWN_KEY_COLO_TTL_MS)).toBe('ok');
  });
});

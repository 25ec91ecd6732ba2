import { beforeEach, describe, expect, it } from 'vitest';
import type { ProviderConfig } from '../../src/routing/provider';
import { recordProviderFailure, resetProviderHealth } from '../../src/routing/provider-health';
import { routeModel } from '../../src/routing/resolve-model';
import type { RouteTable } from '../../src/routing/route-table';
import { rememberSessionProvider, requestSession, resetSessionAffinity, unitHash } from '../../src/routing/session-affinity';
import { sessionKeyOf } from '../../src/protocols/registry';

const provider = (id: string, priority: number, weight: number): ProviderConfig => ({
  id,
  protocol: 'anthropic',
  baseUrl: `http://${id}.fake`,
  apiKeyEncrypted: null,
  priority,
  weight,
  headers: {},
  firstByteTimeoutMs: null,
  idleTimeoutMs: null,
  maxRetries: null,
});

const tableOf = (...providers: ProviderConfig[]): RouteTable => ({
  providers,
  routes: providers.map((entry) => ({
    publicModel: 'm',
    upstreamModel: `${entry.id}-m`,
    provider: entry,
    model: { contextWindow: null, maxOutputTokens: null, outputTokenField: 'max_tokens' as const },
    outputTokenFieldSet: false,
  })),
});

const order = (table: RouteTable, session: string | undefined, now = 0) =>
  routeModel(table, 'm', now, Math.random, session).candidates.map((candidate) => candidate.provider.id);

const first = (table: RouteTable, session: string) => order(table, session)[0];

const counts = (table: RouteTable, sessions: number, prefix = 'session') => {
  const tally: Record<string, number> = {};
  for (let index = 0; index < sessions; index++) {
    const id = first(table, `${prefix}-${index}`) ?? 'none';
    tally[id] = (tally[id] ?? 0) + 1;
  }
  return tally;
};

beforeEach(() => {
  resetProviderHealth();
  resetSessionAffinity();
});

describe('rendezvous order of a session over equal candidates', () => {
  const three = tableOf(provider('a', 0, 1), provider('b', 0, 1), provider('c', 0, 1));

  it('puts every request of one session on the same provider, whatever the random draws', () => {
    const picks = new Set<string | undefined>();
    for (let request = 0; request < 200; request++) picks.add(first(three, 'claude-session-1'));
    expect(picks.size).toBe(1);
    // The fallback order is the session's too.
    expect(new Set(Array.from({ length: 50 }, () => order(three, 'claude-session-1').join())).size).toBe(1);
  });

  it('spreads different sessions over the group', () => {
    const tally = counts(three, 3000);
    expect(Object.keys(tally).sort()).toEqual(['a', 'b', 'c']);
    for (const count of Object.values(tally)) expect(count).toBeGreaterThan(850);
  });

  it('spreads sessions in proportion to weight, and a weight-0 provider wins none', () => {
    const weighted = tableOf(provider('light', 0, 1), provider('heavy', 0, 3), provider('spare', 0, 0));
    const tally = counts(weighted, 4000);
    expect(tally.spare).toBeUndefined();
    expect((tally.heavy ?? 0) / 4000).toBeGreaterThan(0.71);
    expect((tally.heavy ?? 0) / 4000).toBeLessThan(0.79);
    expect(order(weighted, 'any').at(-1)).toBe('spare');
  });

  it('moves only the sessions of a provider that leaves the group', () => {
    const four = tableOf(provider('a', 0, 1), provider('b', 0, 1), provider('c', 0, 1), provider('d', 0, 1));
    let moved = 0;
    for (let index = 0; index < 1000; index++) {
      const before = first(four, `s-${index}`);
      const after = first(three, `s-${index}`);
      if (before !== 'd' && before !== after) moved++;
    }
    expect(moved).toBe(0);
  });

  it('keeps priority groups: a session never prefers a backup over the main group', () => {
    const table = tableOf(provider('main-1', 0, 1), provider('main-2', 0, 1), provider('backup', 1, 100));
    for (let index = 0; index < 100; index++) expect(order(table, `s-${index}`).at(-1)).toBe('backup');
  });

  it('without a session, keeps the weighted random draw', () => {
    const picks = new Set<string | undefined>();
    for (let request = 0; request < 200; request++) picks.add(order(three, undefined)[0]);
    expect(picks.size).toBe(3);
  });

  it('hashes to numbers strictly inside (0, 1)', () => {
    for (const text of ['', 'a', 'b', 'x'.repeat(1000)]) {
      const value = unitHash(text);
      expect(value).toBeGreaterThan(0);
      expect(value).toBeLessThan(1);
    }
  });
});

describe('the memory of who served a session', () => {
  const three = tableOf(provider('a', 0, 1), provider('b', 0, 1), provider('c', 0, 1));

  it('puts the provider that served the session last first, and it stays there', () => {
    const preferred = first(three, 'moved');
    const other = ['a', 'b', 'c'].find((id) => id !== preferred) ?? 'a';
    rememberSessionProvider('moved', other, 'anthropic');
    for (let request = 0; request < 20; request++) expect(first(three, 'moved')).toBe(other);
    expect(first(three, 'untouched-session')).toBe(first(three, 'untouched-session'));
  });

  it('never outranks a rate-limit or breaker demotion', () => {
    rememberSessionProvider('busy', 'b', 'anthropic');
    recordProviderFailure('b', 0, { rateLimited: true, retryAfterMs: 10_000, upstreamModel: 'b-m' });
    expect(order(three, 'busy', 1).at(-1)).toBe('b');
    resetProviderHealth();
    for (let failure = 0; failure < 5; failure++) recordProviderFailure('b', 0);
    expect(order(three, 'busy', 1).at(-1)).toBe('b');
  });

  it('namespaces session keys by account', () => {
    expect(requestSession('acct-1', 'same').key).not.toBe(requestSession('acct-2', 'same').key);
    expect(requestSession('acct-1', undefined).key).toBeUndefined();
  });
});

describe('session keys from each client format', () => {
  const none = new Headers();

  it('Anthropic: the session in Claude Code metadata.user_id (JSON and legacy shapes), its header, else user_id', () => {
    const json = JSON.stringify({ device_id: 'd'.repeat(64), account_uuid: '', session_id: '9f1c2e4a-0000-4000-8000-000000000001' });
    expect(sessionKeyOf('anthropic', { metadata: { user_id: json } }, none)).toBe('9f1c2e4a-0000-4000-8000-000000000001');
    const legacy = `user_${'a'.repeat(64)}_account__session_9f1c2e4a-0000-4000-8000-000000000002`;
    expect(sessionKeyOf('anthropic', { metadata: { user_id: legacy } }, none)).toBe('9f1c2e4a-0000-4000-8000-000000000002');
    expect(sessionKeyOf('anthropic', {}, new Headers({ 'x-claude-code-session-id': 'hdr' }))).toBe('hdr');
    expect(sessionKeyOf('anthropic', { metadata: { user_id: 'end-user-7' } }, none)).toBe('end-user-7');
    expect(sessionKeyOf('anthropic', {}, none)).toBeUndefined();
  });

  it('Responses: prompt_cache_key, else Codex session headers, else safety_identifier / user', () => {
    expect(sessionKeyOf('openai-responses', { prompt_cache_key: 'pck', user: 'u' }, new Headers({ session_id: 'h' }))).toBe('pck');
    expect(sessionKeyOf('openai-responses', {}, new Headers({ session_id: 'codex-conv' }))).toBe('codex-conv');
    expect(sessionKeyOf('openai-responses', {}, new Headers({ 'session-id': 'codex-new' }))).toBe('codex-new');
    expect(sessionKeyOf('openai-responses', { safety_identifier: 'sid' }, none)).toBe('sid');
  });

  it('Chat: prompt_cache_key, else safety_identifier / user; Gemini: cachedContent', () => {
    expect(sessionKeyOf('openai-chat', { prompt_cache_key: 'pck' }, none)).toBe('pck');
    expect(sessionKeyOf('openai-chat', { user: 'u' }, none)).toBe('u');
    expect(sessionKeyOf('gemini', { cachedContent: 'cachedContents/abc' }, none)).toBe('cachedContents/abc');
    expect(sessionKeyOf('gemini', {}, none)).toBeUndefined();
  });

  it('cuts a huge key to a bounded length', () => {
    expect(sessionKeyOf('openai-chat', { prompt_cache_key: 'k'.repeat(100_000) }, none)?.length).toBe(256);
  });
});

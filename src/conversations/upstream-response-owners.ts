import type { Env } from '../env';
import { isRecord, type JsonRecord } from '../protocols/shared/json-guards';
import { readLegacyOwners } from './legacy-owner-records';
import { upstreamStateOwnersOf } from './upstream-state-owners';

/**
 * Which account, and which provider, each response and output item a Responses upstream stored
 * belongs to. Such an upstream keeps its responses and their items under its own ids and gives them
 * back (`previous_response_id`, `item_reference`) to whoever holds its API key, and every account of
 * this relay calls it with the same key: without these records, one account could continue, and so
 * read, another account's stored conversation by naming its ids. And an id is known only to the
 * provider (the API key, the organization) that stored it, so a continuation is pinned to that
 * provider (upstream-state.ts).
 *
 * The relay records the ids of every response it relays from a Responses upstream (a request with
 * `store` not false), and of that response's output items, for the account that asked, with the
 * provider. They live in the account's UpstreamStateOwners object (one call records an answer, one
 * call reads a request's ids) for 30 days, OpenAI's retention of stored responses, with the recent
 * records of this isolate in memory: a client that chains at once resolves here without a call.
 */
const TTL_MS = 30 * 24 * 60 * 60 * 1000;
const RECENT_MAX = 2_048;

/** An id the records are asked about, and how the request names it. */
export interface OwnerRef {
  kind: 'response' | 'item';
  id: string;
}

/** The key of a record in this isolate's memory and in a request's KnownOwners (and of the KV records written before the object). */
export const ownerKeyOf = (accountId: string, ref: OwnerRef): string =>
  ref.kind === 'response' ? `rsp:${accountId}:upstream:${ref.id}` : `rsp:${accountId}:upstream-item:${ref.id}`;

/**
 * An owner record as read: the provider that stored the id, `''` when the record predates providers
 * (any Responses provider may be asked), or null when the account owns no such id.
 */
export type OwnerRecord = string | null;

const recent = new Map<string, string>();

const rememberRecent = (key: string, providerId: string): void => {
  recent.delete(key);
  if (recent.size >= RECENT_MAX) {
    const oldest = recent.keys().next().value;
    if (oldest !== undefined) recent.delete(oldest);
  }
  recent.set(key, providerId);
};

/** What a Responses upstream stored for one answer: the response's id and its output items' ids. */
export interface StoredAnswer {
  responseId?: string;
  itemIds: readonly string[];
}

const refsOf = (answer: StoredAnswer): OwnerRef[] => [
  ...(answer.responseId === undefined ? [] : [{ kind: 'response' as const, id: answer.responseId }]),
  ...answer.itemIds.map((id) => ({ kind: 'item' as const, id })),
];

/**
 * This isolate knows at once that the ids of `answer` are `accountId`'s: a client chaining on the
 * same connection (the usual case) resolves them from memory, before the object has recorded them.
 */
export const rememberUpstreamAnswer = (accountId: string, providerId: string, answer: StoredAnswer): void => {
  for (const ref of refsOf(answer)) rememberRecent(ownerKeyOf(accountId, ref), providerId);
};

/**
 * Records that the ids of `answer`, stored by `providerId`, belong to `accountId`: in this isolate's
 * memory at once, in the account's object in one call. Callers run it after the answer went out:
 * another isolate that reads a record not yet written waits once for it (LATE_WRITE_WAIT_MS).
 */
export const bindUpstreamAnswer = async (env: Env, accountId: string, providerId: string, answer: StoredAnswer): Promise<void> => {
  rememberUpstreamAnswer(accountId, providerId, answer);
  const ids = refsOf(answer).map((ref) => ref.id);
  if (ids.length === 0) return;
  await upstreamStateOwnersOf(env, accountId).record(providerId, ids, Date.now() + TTL_MS);
};

/**
 * The records of `refs` by key: this isolate's memory first, then one call to the account's object
 * for the rest, then (with `legacy`) one KV read each for the ids the object does not know, as KV held
 * the records before (legacy-owner-records.ts). What was found is remembered in this isolate.
 */
export const readOwners = async (env: Env, accountId: string, refs: readonly OwnerRef[], options: { legacy: boolean }): Promise<Map<string, OwnerRecord>> => {
  const records = new Map<string, OwnerRecord>();
  const asked = new Map<string, OwnerRef>();
  for (const ref of refs) {
    const key = ownerKeyOf(accountId, ref);
    const remembered = recent.get(key);
    if (remembered !== undefined) records.set(key, remembered);
    else asked.set(key, ref);
  }
  if (asked.size === 0) return records;
  const ids = [...new Set([...asked.values()].map((ref) => ref.id))];
  const owned = new Map((await upstreamStateOwnersOf(env, accountId).owners(ids)).map((row) => [row.id, row.provider]));
  const unknown: string[] = [];
  for (const [key, ref] of asked) {
    const provider = owned.get(ref.id);
    if (provider === undefined) unknown.push(key);
    else records.set(key, provider);
  }
  const legacy = options.legacy && unknown.length > 0 ? await readLegacyOwners(env, unknown) : [];
  unknown.forEach((key, index) => records.set(key, legacy[index] ?? null));
  for (const [key, record] of records) if (record !== null) rememberRecent(key, record);
  return records;
};

const idsOfOutput = (output: unknown): string[] =>
  Array.isArray(output) ? output.flatMap((item) => (isRecord(item) && typeof item.id === 'string' && item.id !== '' ? [item.id] : [])) : [];

/** The ids in a whole Responses answer (the upstream's JSON text). */
export const storedAnswerOf = (text: string): StoredAnswer => {
  try {
    const value: unknown = JSON.parse(text);
    if (!isRecord(value)) return { itemIds: [] };
    const itemIds = idsOfOutput(value.output);
    return typeof value.id === 'string' && value.id !== '' ? { responseId: value.id, itemIds } : { itemIds };
  } catch {
    return { itemIds: [] };
  }
};

/**
 * Collects the output item ids of a Responses stream as its events go by (`response.output_item.added`
 * and `.done` name each item; nothing else is parsed).
 */
export const streamedItemIds = (): { see(event: { event?: string; data: string }): void; ids(): string[] } => {
  const ids = new Set<string>();
  return {
    see(event) {
      if (event.event !== 'response.output_item.added' && event.event !== 'response.output_item.done') return;
      try {
        const value: unknown = JSON.parse(event.data);
        const item = isRecord(value) ? value.item : undefined;
        if (isRecord(item) && typeof item.id === 'string' && item.id !== '') ids.add(item.id);
      } catch {
        // The decoder reports an unreadable event; the ids are only what could be read.
      }
    },
    ids: () => [...ids],
  };
};

/** Whether the relay should record the ids of the answer to this request (the upstream stores it unless `store: false`). */
export const upstreamStoresAnswer = (body: JsonRecord): boolean => body.store !== false;

import type { Env } from '../env';
import { isRecord, type JsonRecord } from '../protocols/shared/json-guards';

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
 * `store` not false), and of that response's output items, for the account that asked; the value
 * names the provider. In KV for 30 days, OpenAI's retention of stored responses, with the recent
 * records of this isolate in memory: a client that chains at once resolves here, others read KV.
 */
const TTL_SECONDS = 30 * 24 * 60 * 60;
const RECENT_MAX = 2_048;

/** Records written before they named a provider hold this: owned, the provider unknown. */
const LEGACY_OWNED = '1';
const PROVIDER_TAG = 'p:';

export const responseOwnerKey = (accountId: string, responseId: string): string => `rsp:${accountId}:upstream:${responseId}`;
export const itemOwnerKey = (accountId: string, itemId: string): string => `rsp:${accountId}:upstream-item:${itemId}`;

/**
 * An owner record as read: the provider that stored the id, `''` when the record predates providers
 * (any Responses provider may be asked), or null when the account owns no such id.
 */
export type OwnerRecord = string | null;

const recordOf = (value: string | null): OwnerRecord => {
  if (value === null) return null;
  if (value.startsWith(PROVIDER_TAG)) return value.slice(PROVIDER_TAG.length);
  return value === LEGACY_OWNED ? '' : null;
};

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

const ownerKeysOf = (accountId: string, answer: StoredAnswer): string[] => [
  ...(answer.responseId === undefined ? [] : [responseOwnerKey(accountId, answer.responseId)]),
  ...answer.itemIds.map((id) => itemOwnerKey(accountId, id)),
];

/**
 * This isolate knows at once that the ids of `answer` are `accountId`'s: a client chaining on the
 * same connection (the usual case) resolves them from memory, before any KV write has landed.
 */
export const rememberUpstreamAnswer = (accountId: string, providerId: string, answer: StoredAnswer): void => {
  for (const key of ownerKeysOf(accountId, answer)) rememberRecent(key, providerId);
};

/**
 * Records that the ids of `answer`, stored by `providerId`, belong to `accountId`: in this isolate's
 * memory at once, in KV in one parallel round. Callers run it after the answer went out: another
 * isolate that reads a record not yet written waits once for it (LATE_WRITE_WAIT_MS).
 */
export const bindUpstreamAnswer = async (env: Env, accountId: string, providerId: string, answer: StoredAnswer): Promise<void> => {
  rememberUpstreamAnswer(accountId, providerId, answer);
  await Promise.all(ownerKeysOf(accountId, answer).map((key) => env.TASKS.put(key, `${PROVIDER_TAG}${providerId}`, { expirationTtl: TTL_SECONDS })));
};

/** One owner record: this isolate's memory first, else one KV read. */
export const readOwner = async (env: Env, key: string): Promise<OwnerRecord> => {
  const remembered = recent.get(key);
  if (remembered !== undefined) return remembered;
  return recordOf(await env.TASKS.get(key));
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

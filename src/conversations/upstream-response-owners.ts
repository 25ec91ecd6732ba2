import type { Env } from '../env';
import { RelayError } from '../errors';
import { isRecord, type JsonRecord } from '../protocols/shared/json-guards';

/**
 * Which account each response a Responses upstream stored belongs to. Such an upstream keeps its
 * responses under its own ids and gives them back (`previous_response_id`) to whoever holds its API
 * key, and every account of this relay calls it with the same key: without this, one account could
 * continue, and so read, another account's stored conversation by naming its response id.
 *
 * The relay records the id of every response it relays from a Responses upstream (a request with
 * `store` not false) for the account that asked, and a passthrough request naming a
 * `previous_response_id` that is neither recorded for its account nor in the relay's own store
 * (responses-store.ts resolves those first) is refused with the 404 OpenAI gives for an unknown id.
 * `conversation` ids are refused outright: the relay does not serve the Conversations API, so no
 * account can have created one through it.
 *
 * In KV for 30 days, OpenAI's retention of stored responses, with the recent ids of this isolate in
 * memory: a client that chains at once resolves here, others read KV (a miss waits once for a write
 * still on its way, as responses-store.ts does).
 */
const TTL_SECONDS = 30 * 24 * 60 * 60;
const LATE_WRITE_WAIT_MS = 150;
const RECENT_MAX = 2_048;
/** Ids echoed in an error are cut: they are the client's own input. */
const MAX_ECHOED_ID_CHARS = 200;

const ownerKey = (accountId: string, responseId: string) => `rsp:${accountId}:upstream:${responseId}`;

const recent = new Set<string>();

const rememberRecent = (key: string): void => {
  if (recent.size >= RECENT_MAX) {
    const oldest = recent.values().next().value;
    if (oldest !== undefined) recent.delete(oldest);
  }
  recent.add(key);
};

/** Records that `responseId`, stored by a Responses upstream, belongs to `accountId`. */
export const bindUpstreamResponse = async (env: Env, accountId: string, responseId: string): Promise<void> => {
  const key = ownerKey(accountId, responseId);
  rememberRecent(key);
  await env.TASKS.put(key, '1', { expirationTtl: TTL_SECONDS });
};

const ownsUpstreamResponse = async (env: Env, accountId: string, responseId: string): Promise<boolean> => {
  const key = ownerKey(accountId, responseId);
  if (recent.has(key)) return true;
  if ((await env.TASKS.get(key)) !== null) return true;
  await new Promise((resolve) => setTimeout(resolve, LATE_WRITE_WAIT_MS));
  return (await env.TASKS.get(key)) !== null;
};

const conversationIdOf = (conversation: unknown): string | undefined => {
  if (typeof conversation === 'string' && conversation !== '') return conversation;
  if (isRecord(conversation) && typeof conversation.id === 'string') return conversation.id;
  return undefined;
};

/** The id of a whole Responses answer (the upstream's JSON text), if it has one. */
export const answerIdOf = (text: string): string | undefined => {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) && typeof value.id === 'string' && value.id !== '' ? value.id : undefined;
  } catch {
    return undefined;
  }
};

/** Whether the relay should record the id of the answer to this request (the upstream stores it unless `store: false`). */
export const upstreamStoresAnswer = (body: JsonRecord): boolean => body.store !== false;

/** Refuses, before it goes upstream, a request that names stored upstream state another account owns (or no account could). */
export const assertOwnsUpstreamState = async (env: Env, accountId: string, body: JsonRecord): Promise<void> => {
  const previous = body.previous_response_id;
  if (typeof previous === 'string' && previous !== '' && !(await ownsUpstreamResponse(env, accountId, previous))) {
    throw new RelayError('not_found', 404, `Previous response with id '${previous.slice(0, MAX_ECHOED_ID_CHARS)}' not found.`, {
      param: 'previous_response_id',
      code: 'previous_response_not_found',
    });
  }
  const conversation = conversationIdOf(body.conversation);
  if (conversation !== undefined) {
    throw new RelayError('not_found', 404, `Conversation with id '${conversation.slice(0, MAX_ECHOED_ID_CHARS)}' not found.`, { param: 'conversation' });
  }
};

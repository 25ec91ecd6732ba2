import type { Env } from '../env';
import { RelayError } from '../errors';
import { isRecord, type JsonRecord } from '../protocols/shared/json-guards';
import type { Candidate } from '../routing/provider';
import { pinnedToProvider } from '../routing/state-pin';
import { ownerKeyOf, readOwners, type OwnerRecord, type OwnerRef } from './upstream-response-owners';

/**
 * The stored upstream state a Responses request names, checked against the records of
 * upstream-response-owners.ts. The records are read once per request, before its candidates are
 * ordered (lookUpUpstreamState): they pin the request to the provider that stored its state, and the
 * attempt's ownership check reuses them (assertOwnsUpstreamState), so a request that names stored
 * state pays at most one call to its account's object for all its ids, and one that names none pays
 * nothing. A passthrough naming an id
 * the account does not own, or owns at another provider than the one asked, gets the 404 OpenAI
 * gives for an unknown id before anything goes upstream. `conversation` ids are refused outright: the
 * relay does not serve the Conversations API, so no account can have created one through it.
 */
const LATE_WRITE_WAIT_MS = 150;
/** Ids echoed in an error are cut: they are the client's own input. */
const MAX_ECHOED_ID_CHARS = 200;

/** What the records said for one request, kept for its attempts. */
export interface KnownOwners {
  readonly accountId: string;
  /** By ownerKeyOf: the record read (undefined: not read yet). */
  readonly records: Map<string, OwnerRecord>;
  /** Keys already waited for once, for a record still on its way from another isolate. */
  readonly waited: Set<string>;
  /** The provider that stored what the request continues, when the records name one. */
  readonly provider?: string;
  /** The id that provider was read from (named in the 404 when that provider serves none of the candidates). */
  readonly pinnedBy?: { kind: 'response' | 'item'; id: string };
}

const previousIdOf = (body: JsonRecord): string | undefined =>
  typeof body.previous_response_id === 'string' && body.previous_response_id !== '' ? body.previous_response_id : undefined;

/**
 * Input items an upstream resolves from its store by id: `item_reference`s (their `type` is optional:
 * an item that is nothing but an id is one too), and reasoning items sent back by id without their
 * encrypted content.
 */
const referencedItemIds = (input: unknown): string[] => {
  if (!Array.isArray(input)) return [];
  const ids = new Set<string>();
  for (const item of input) {
    if (!isRecord(item) || typeof item.id !== 'string' || item.id === '') continue;
    const bare = (item.type === undefined || item.type === null) && item.role === undefined;
    if (item.type === 'item_reference' || bare || (item.type === 'reasoning' && typeof item.encrypted_content !== 'string')) ids.add(item.id);
  }
  return [...ids];
};

const conversationIdOf = (conversation: unknown): string | undefined => {
  if (typeof conversation === 'string' && conversation !== '') return conversation;
  if (isRecord(conversation) && typeof conversation.id === 'string') return conversation.id;
  return undefined;
};

const previousNotFound = (id: string): RelayError =>
  new RelayError('not_found', 404, `Previous response with id '${id.slice(0, MAX_ECHOED_ID_CHARS)}' not found.`, {
    param: 'previous_response_id',
    code: 'previous_response_not_found',
  });

const itemNotFound = (id: string): RelayError => new RelayError('not_found', 404, `Item with id '${id.slice(0, MAX_ECHOED_ID_CHARS)}' not found.`, { param: 'input' });

/** The ids whose records decide `body`: its previous response, then the items it references. */
const namedRefs = (body: JsonRecord): { previousId: string | undefined; itemIds: string[]; refs: OwnerRef[] } => {
  const previousId = previousIdOf(body);
  const itemIds = referencedItemIds(body.input);
  const refs: OwnerRef[] = [...(previousId === undefined ? [] : [{ kind: 'response' as const, id: previousId }]), ...itemIds.map((id) => ({ kind: 'item' as const, id }))];
  return { previousId, itemIds, refs };
};

const readInto = async (env: Env, known: KnownOwners, refs: readonly OwnerRef[], legacy: boolean): Promise<void> => {
  for (const [key, record] of await readOwners(env, known.accountId, refs, { legacy })) known.records.set(key, record);
};

/**
 * The records of the stored state `body` names (one read of them all; none when it names none), and
 * the provider they pin the request to: the one that stored its previous response, else its latest
 * referenced item.
 */
export const lookUpUpstreamState = async (env: Env, accountId: string, body: JsonRecord): Promise<KnownOwners> => {
  const { previousId, itemIds, refs } = namedRefs(body);
  const known: KnownOwners = { accountId, records: new Map(), waited: new Set() };
  if (refs.length === 0) return known;
  await readInto(env, known, refs, true);
  const named = (ref: OwnerRef) => {
    const record = known.records.get(ownerKeyOf(accountId, ref));
    return record === null || record === undefined || record === '' ? undefined : record;
  };
  const byPrevious = previousId === undefined ? undefined : named({ kind: 'response', id: previousId });
  if (previousId !== undefined && byPrevious !== undefined) return { ...known, provider: byPrevious, pinnedBy: { kind: 'response', id: previousId } };
  const latestItem = itemIds.findLast((id) => named({ kind: 'item', id }) !== undefined);
  if (latestItem === undefined) return known;
  return { ...known, provider: named({ kind: 'item', id: latestItem }) as string, pinnedBy: { kind: 'item', id: latestItem } };
};

/**
 * The candidates of a request that continues state stored at one provider: that provider's alone
 * (routing/state-pin.ts). When it serves none of them, the 404 for the id that named it: no other
 * provider knows the id.
 */
export const candidatesForStoredState = (known: KnownOwners | undefined, candidates: Candidate[]): Candidate[] => {
  const pinned = pinnedToProvider(candidates, known?.provider);
  const by = known?.pinnedBy;
  if (pinned.length > 0 || by === undefined) return pinned;
  throw by.kind === 'response' ? previousNotFound(by.id) : itemNotFound(by.id);
};

/** Whether the records say a Responses upstream stored `responseId` for the account (at any provider). */
export const storedUpstreamResponse = (known: KnownOwners, responseId: string): boolean => {
  const record = known.records.get(ownerKeyOf(known.accountId, { kind: 'response', id: responseId }));
  return record !== null && record !== undefined;
};

const ownedAt = (record: OwnerRecord | undefined, providerId: string): boolean => record !== null && record !== undefined && (record === '' || record === providerId);

/**
 * Reads the ids not read yet; an id with no record is waited for once (another isolate may still be
 * recording it) and asked again, of the object alone: KV gets no new records.
 */
const settle = async (env: Env, known: KnownOwners, refs: readonly OwnerRef[]): Promise<void> => {
  const keyOf = (ref: OwnerRef) => ownerKeyOf(known.accountId, ref);
  const unread = refs.filter((ref) => !known.records.has(keyOf(ref)));
  if (unread.length > 0) await readInto(env, known, unread, true);
  const missing = refs.filter((ref) => known.records.get(keyOf(ref)) === null && !known.waited.has(keyOf(ref)));
  if (missing.length === 0) return;
  for (const ref of missing) known.waited.add(keyOf(ref));
  await new Promise((resolve) => setTimeout(resolve, LATE_WRITE_WAIT_MS));
  await readInto(env, known, missing, false);
};

/**
 * Refuses, before it goes upstream to `providerId`, a request that names stored upstream state the
 * account does not own there (or no account could own). `known` is the request's lookUpUpstreamState.
 */
export const assertOwnsUpstreamState = async (env: Env, known: KnownOwners, body: JsonRecord, providerId: string): Promise<void> => {
  const conversation = conversationIdOf(body.conversation);
  if (conversation !== undefined) {
    throw new RelayError('not_found', 404, `Conversation with id '${conversation.slice(0, MAX_ECHOED_ID_CHARS)}' not found.`, { param: 'conversation' });
  }
  const { previousId, itemIds, refs } = namedRefs(body);
  if (refs.length === 0) return;
  await settle(env, known, refs);
  const recordOf = (ref: OwnerRef) => known.records.get(ownerKeyOf(known.accountId, ref));
  if (previousId !== undefined && !ownedAt(recordOf({ kind: 'response', id: previousId }), providerId)) throw previousNotFound(previousId);
  const unowned = itemIds.find((id) => !ownedAt(recordOf({ kind: 'item', id }), providerId));
  if (unowned !== undefined) throw itemNotFound(unowned);
};

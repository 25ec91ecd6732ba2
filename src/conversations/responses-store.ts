import type { Env } from '../env';
import { isRecord, type JsonRecord } from '../protocols/shared/json-guards';

/**
 * What the relay keeps of the Responses it answers itself (translated from another upstream format),
 * so that Responses clients can build on them as they do with OpenAI: `previous_response_id` and
 * `item_reference` inputs (the Vercel AI SDK sends references by default, `store` defaulting to true).
 * In KV, per account, for 30 days like OpenAI's own store. Responses a Responses upstream answered
 * are stored by that upstream; references to them are left for it to resolve.
 */
const TTL_SECONDS = 30 * 24 * 60 * 60;
/** A chain whose oldest turn has less life left than this is compacted into one turn, so a stored turn never outlives its history. */
const COMPACT_WHEN_LEFT_SECONDS = 15 * 24 * 60 * 60;
/**
 * Ancestors read in parallel to resolve one turn; past this the chain is compacted into one turn. Storage
 * then grows as n²/64 instead of n² over a conversation, and a request never issues more than 64 KV reads.
 */
const MAX_ANCESTORS = 64;

/**
 * One stored turn: only the items this turn added (its own input, references resolved, and its output),
 * with the ids of the turns before it, oldest first, so a conversation of n turns stores O(n) items and
 * resolving one reads its ancestors in one parallel round. Turns stored before chains existed carry their
 * whole resolved input and no `ancestors`: they read as a chain's root.
 */
interface StoredTurn {
  input: unknown[];
  output: unknown[];
  ancestors?: string[];
  /** Epoch seconds when the earliest turn of the chain expires; this turn expires then too. */
  expiresAt?: number;
}

/** What a request found of its previous turn: enough to store its own turn as the next link. */
interface Chain {
  previousId: string;
  ancestors: string[];
  expiresAt: number;
  /** The resolved history ahead of this turn's own input (for compaction). */
  history: unknown[];
}

const responseKey = (accountId: string, responseId: string) => `rsp:${accountId}:response:${responseId}`;
const itemKey = (accountId: string, itemId: string) => `rsp:${accountId}:item:${itemId}`;

/** The input as a list of items (a string is one user message). */
const inputItems = (input: unknown): unknown[] => {
  if (Array.isArray(input)) return input;
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  return [];
};

/** Items go back without their ids: an upstream that never minted them could refuse unknown ones. */
const withoutId = (item: unknown): unknown => {
  if (!isRecord(item) || item.id === undefined) return item;
  const { id: _id, status: _status, ...rest } = item;
  return rest;
};

const isReference = (item: unknown): item is { type: 'item_reference'; id: string } =>
  isRecord(item) && item.type === 'item_reference' && typeof item.id === 'string';

/**
 * Turns this isolate stored lately, by `account:id`: a client that chains at once (its next request
 * may arrive before the KV write after the response lands) resolves from here; others read KV.
 * Bounded in count and in size (the turns' JSON length, known once keep() wrote the turn): a turn
 * can carry megabytes of input (images, long tool results), and 512 of those would not fit a 128 MB
 * isolate. A turn larger than the whole budget is left to KV.
 */
const RECENT_TURNS_MAX = 512;
const RECENT_TURNS_CHARS = 8 * 1024 * 1024;
const recentTurns = new Map<string, { turn: StoredTurn; chars: number }>();
let recentChars = 0;

const forgetTurn = (key: string): void => {
  const entry = recentTurns.get(key);
  if (entry === undefined) return;
  recentChars -= entry.chars;
  recentTurns.delete(key);
};

const rememberTurn = (accountId: string, responseId: string, turn: StoredTurn, chars: number): void => {
  const key = `${accountId}:${responseId}`;
  forgetTurn(key);
  if (chars > RECENT_TURNS_CHARS) return;
  for (const oldest of recentTurns.keys()) {
    if (recentTurns.size < RECENT_TURNS_MAX && recentChars + chars <= RECENT_TURNS_CHARS) break;
    forgetTurn(oldest);
  }
  recentTurns.set(key, { turn, chars });
  recentChars += chars;
};

/** How long a turn missing from KV is waited for once: another isolate may still be writing it. */
const LATE_TURN_WAIT_MS = 150;

/** Whether a turn missing from KV is worth waiting for (false: a Responses upstream stored that id, it is not ours). */
type WaitIfMissing = () => Promise<boolean>;
const NEVER_WAIT: WaitIfMissing = () => Promise.resolve(false);

const readTurn = async (env: Env, accountId: string, responseId: string, waitIfMissing: WaitIfMissing): Promise<StoredTurn | null> => {
  const recent = recentTurns.get(`${accountId}:${responseId}`);
  if (recent !== undefined) return recent.turn;
  const stored = await env.TASKS.get<StoredTurn>(responseKey(accountId, responseId), 'json');
  if (stored !== null || !(await waitIfMissing())) return stored;
  await new Promise((resolve) => setTimeout(resolve, LATE_TURN_WAIT_MS));
  return env.TASKS.get<StoredTurn>(responseKey(accountId, responseId), 'json');
};

const turnItems = (turn: StoredTurn): unknown[] => [...turn.input, ...turn.output.map(withoutId)];

/** The whole history up to and including `previousId`'s turn, or undefined when it (or a link of its chain) is gone. */
const readChain = async (env: Env, accountId: string, previousId: string, now: number, waitIfMissing: WaitIfMissing): Promise<Chain | undefined> => {
  const previous = await readTurn(env, accountId, previousId, waitIfMissing);
  if (previous === null) return undefined;
  const ancestorIds = previous.ancestors ?? [];
  const ancestors = await Promise.all(ancestorIds.map((id) => readTurn(env, accountId, id, NEVER_WAIT)));
  if (ancestors.some((turn) => turn === null)) return undefined;
  const history = [...(ancestors as StoredTurn[]).flatMap(turnItems), ...turnItems(previous)];
  const expiresAt = previous.expiresAt ?? Math.floor(now / 1000) + TTL_SECONDS;
  return { previousId, ancestors: [...ancestorIds, previousId], expiresAt, history };
};

interface Resolved {
  body: JsonRecord;
  /** This turn's own input, references resolved (what its stored turn keeps). */
  ownInput: unknown[];
  chain?: Chain;
}

/**
 * The request body with what this relay stored put in place: `previous_response_id` becomes the
 * earlier turns' inputs and outputs ahead of this input, and each `item_reference` the item it names.
 * Ids this relay never stored are left as they are (a Responses upstream may know them; any other
 * upstream refuses them with a 400 that says so). Returns undefined when nothing changed.
 */
const resolveStored = async (env: Env, accountId: string, body: JsonRecord, now: number, storedUpstream: StoredUpstream): Promise<Resolved | undefined> => {
  const previousId = typeof body.previous_response_id === 'string' ? body.previous_response_id : undefined;
  const input = inputItems(body.input);
  const referenced = input.filter(isReference).map((item) => item.id);
  if (previousId === undefined && referenced.length === 0) return undefined;

  const [chain, ...items] = await Promise.all([
    previousId === undefined ? undefined : readChain(env, accountId, previousId, now, async () => !(await storedUpstream(previousId))),
    ...referenced.map((id) => env.TASKS.get(itemKey(accountId, id), 'json')),
  ]);
  const found = new Map<string, unknown>();
  referenced.forEach((id, index) => {
    if (items[index] !== null && items[index] !== undefined) found.set(id, items[index]);
  });
  if (chain === undefined && found.size === 0) return undefined;

  const ownInput = input.map((item) => (isReference(item) && found.has(item.id) ? withoutId(found.get(item.id)) : item));
  if (chain === undefined) return { body: { ...body, input: ownInput }, ownInput };
  const { previous_response_id: _previous, ...rest } = body;
  return { body: { ...rest, input: [...chain.history, ...ownInput] }, ownInput, chain };
};

/** Whether a Responses upstream stored the response with this id for the account (its owner record, see upstream-state.ts). */
export type StoredUpstream = (responseId: string) => Promise<boolean>;
const NOT_KNOWN_UPSTREAM: StoredUpstream = () => Promise.resolve(false);

export const resolveStoredResponses = async (env: Env, accountId: string, body: JsonRecord): Promise<JsonRecord | undefined> =>
  (await resolveStored(env, accountId, body, Date.now(), NOT_KNOWN_UPSTREAM))?.body;

/** Item types clients send back as `item_reference` (the Vercel AI SDK: assistant text and reasoning; tool calls it sends inline). */
const REFERENCED_TYPES = new Set(['message', 'reasoning']);

/** A new turn's stored form but its output: a link after its chain, or a fresh root (expiry set when stored). */
type TurnLink = Omit<StoredTurn, 'output'>;

/**
 * How a new turn is stored, decided when its request comes: a link after its chain, or a fresh root
 * holding the whole history when the chain is long or ageing. Only a root keeps the history, so the
 * answer's stream holds no more of the request than the turn's own input.
 */
const linkOf = (ownInput: unknown[], chain: Chain | undefined, nowSeconds: number): TurnLink => {
  if (chain === undefined) return { input: ownInput, ancestors: [] };
  const compact = chain.ancestors.length >= MAX_ANCESTORS || chain.expiresAt - nowSeconds < COMPACT_WHEN_LEFT_SECONDS;
  if (compact) return { input: [...chain.history, ...ownInput], ancestors: [] };
  return { input: ownInput, ancestors: chain.ancestors, expiresAt: chain.expiresAt };
};

const turnOf = (link: TurnLink, output: unknown[], nowSeconds: number): StoredTurn => ({
  input: link.input,
  output,
  ancestors: link.ancestors,
  expiresAt: link.expiresAt ?? nowSeconds + TTL_SECONDS,
});

/** Keeps a response the relay answered: the turn for previous_response_id, and each referable output item by id. */
export const storeResponse = async (env: Env, accountId: string, link: TurnLink, response: unknown, now = Date.now()): Promise<void> => {
  if (!isRecord(response) || typeof response.id !== 'string' || !Array.isArray(response.output)) return;
  const output = response.output;
  const nowSeconds = Math.floor(now / 1000);
  const turn = turnOf(link, output, nowSeconds);
  const json = JSON.stringify(turn);
  rememberTurn(accountId, response.id, turn, json.length);
  const options = { expiration: turn.expiresAt ?? nowSeconds + TTL_SECONDS };
  await Promise.all([
    env.TASKS.put(responseKey(accountId, response.id), json, options),
    ...output
      .filter((item): item is JsonRecord => isRecord(item) && typeof item.id === 'string' && REFERENCED_TYPES.has(String(item.type)))
      .map((item) => env.TASKS.put(itemKey(accountId, item.id as string), JSON.stringify(item), { expirationTtl: TTL_SECONDS })),
  ]);
};

/** Whether a Responses client asked for its response to be kept (`store` defaults to true, as at OpenAI). */
const wantsStored = (body: JsonRecord): boolean => body.store !== false;

/** One Responses request's view of the store: its body with stored state resolved, and what keeps its answer. */
export interface ResponsesState {
  body: JsonRecord;
  /** The body differs from what the client sent. */
  changed: boolean;
  /** Takes the answer the relay encoded (through responses-session.ts); absent with `store: false`. */
  remember?: (response: unknown) => void;
  /** Writes the remembered answer; called once the client has it. */
  readonly keep: () => Promise<void>;
}

const NOTHING_TO_KEEP = async (): Promise<void> => {};

/**
 * The answer's side of the store: takes the answer and writes its turn. Built apart from the
 * request's resolution, so that what it holds until the client has the answer is the turn's link
 * alone (see linkOf), not the resolved body.
 */
const turnKeeper = (env: Env, accountId: string, requestId: string, link: TurnLink): Pick<ResponsesState, 'remember' | 'keep'> => {
  let remembered: unknown;
  return {
    remember: (response: unknown) => {
      remembered = response;
      // Known to this isolate before the client has the answer; KV follows in keep(), which also
      // sizes it (serializing here would hold back the answer's last event).
      if (isRecord(response) && typeof response.id === 'string' && Array.isArray(response.output)) {
        rememberTurn(accountId, response.id, turnOf(link, response.output, Math.floor(Date.now() / 1000)), 0);
      }
    },
    keep: async () => {
      if (remembered === undefined) return;
      await storeResponse(env, accountId, link, remembered).catch((error: unknown) =>
        console.error(JSON.stringify({ message: 'response could not be stored', requestId, error: String(error) })),
      );
    },
  };
};

/** `storedUpstream` spares a continuation of an upstream's stored response the wait for a turn of ours that will never come. */
export const openResponsesState = async (
  env: Env,
  accountId: string,
  requestId: string,
  body: JsonRecord,
  storedUpstream: StoredUpstream = NOT_KNOWN_UPSTREAM,
): Promise<ResponsesState> => {
  const now = Date.now();
  const resolved = await resolveStored(env, accountId, body, now, storedUpstream);
  const current = resolved?.body ?? body;
  const changed = resolved !== undefined;
  if (!wantsStored(current)) return { body: current, changed, keep: NOTHING_TO_KEEP };
  const link = linkOf(resolved?.ownInput ?? inputItems(body.input), resolved?.chain, Math.floor(now / 1000));
  return { body: current, changed, ...turnKeeper(env, accountId, requestId, link) };
};

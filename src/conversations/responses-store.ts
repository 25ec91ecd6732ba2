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

interface StoredResponse {
  /** The whole input of that turn, references already resolved (a chain of previous ids expands fully). */
  input: unknown[];
  output: unknown[];
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
 * The request body with what this relay stored put in place: `previous_response_id` becomes the
 * earlier turn's input and output ahead of this input, and each `item_reference` the item it names.
 * Ids this relay never stored are left as they are (a Responses upstream may know them; any other
 * upstream refuses them with a 400 that says so). Returns undefined when nothing changed.
 */
export const resolveStoredResponses = async (env: Env, accountId: string, body: JsonRecord): Promise<JsonRecord | undefined> => {
  const previousId = typeof body.previous_response_id === 'string' ? body.previous_response_id : undefined;
  const input = inputItems(body.input);
  const referenced = input.filter(isReference).map((item) => item.id);
  if (previousId === undefined && referenced.length === 0) return undefined;

  const [previous, ...items] = await Promise.all([
    previousId === undefined ? undefined : env.TASKS.get<StoredResponse>(responseKey(accountId, previousId), 'json'),
    ...referenced.map((id) => env.TASKS.get(itemKey(accountId, id), 'json')),
  ]);
  const found = new Map<string, unknown>();
  referenced.forEach((id, index) => {
    if (items[index] !== null && items[index] !== undefined) found.set(id, items[index]);
  });
  if ((previous === null || previous === undefined) && found.size === 0) return undefined;

  const resolvedInput = input.map((item) => (isReference(item) && found.has(item.id) ? withoutId(found.get(item.id)) : item));
  if (previous === null || previous === undefined) return { ...body, input: resolvedInput };
  const { previous_response_id: _previous, ...rest } = body;
  return { ...rest, input: [...previous.input, ...previous.output.map(withoutId), ...resolvedInput] };
};

/** Item types clients send back as `item_reference` (the Vercel AI SDK: assistant text and reasoning; tool calls it sends inline). */
const REFERENCED_TYPES = new Set(['message', 'reasoning']);

/** Keeps a response the relay answered: the turn for previous_response_id, and each referable output item by id. */
export const storeResponse = async (env: Env, accountId: string, requestBody: JsonRecord, response: unknown): Promise<void> => {
  if (!isRecord(response) || typeof response.id !== 'string' || !Array.isArray(response.output)) return;
  const output = response.output;
  const stored: StoredResponse = { input: inputItems(requestBody.input), output };
  const options = { expirationTtl: TTL_SECONDS };
  await Promise.all([
    env.TASKS.put(responseKey(accountId, response.id), JSON.stringify(stored), options),
    ...output
      .filter((item): item is JsonRecord => isRecord(item) && typeof item.id === 'string' && REFERENCED_TYPES.has(String(item.type)))
      .map((item) => env.TASKS.put(itemKey(accountId, item.id as string), JSON.stringify(item), options)),
  ]);
};

/** Whether a Responses client asked for its response to be kept (`store` defaults to true, as at OpenAI). */
const wantsStored = (body: JsonRecord): boolean => body.store !== false;

/** One Responses request's view of the store: its body with stored state resolved, and what keeps its answer. */
export interface ResponsesState {
  body: JsonRecord;
  /** The body differs from what the client sent. */
  changed: boolean;
  /** Takes the answer the relay encoded (AttemptContext.remember); absent with `store: false`. */
  remember?: (response: unknown) => void;
  /** Writes the remembered answer; called once the client has it. */
  keep(): Promise<void>;
}

export const openResponsesState = async (env: Env, accountId: string, requestId: string, body: JsonRecord): Promise<ResponsesState> => {
  const resolved = await resolveStoredResponses(env, accountId, body);
  const current = resolved ?? body;
  let remembered: unknown;
  return {
    body: current,
    changed: resolved !== undefined,
    ...(wantsStored(current) ? { remember: (response: unknown) => (remembered = response) } : {}),
    keep: async () => {
      if (remembered === undefined) return;
      await storeResponse(env, accountId, current, remembered).catch((error: unknown) =>
        console.error(JSON.stringify({ message: 'response could not be stored', requestId, error: String(error) })),
      );
    },
  };
};

import type { IrRequest } from '../ir/request';
import type { ClientContext } from '../protocols/codec';
import type { AttemptContext } from './attempt';

/**
 * The client context a stream's encoder keeps for the stream's whole life: the request without its
 * conversation (system and messages). No encoder reads those (they echo the model and honour the
 * options, tools included), and they are nearly all of a request's memory.
 */
export const streamClientContext = (requestId: string, request: IrRequest, created: number): ClientContext => ({
  requestId,
  request: { ...request, system: [], messages: [] },
  created,
});

/** Top-level fields that carry the conversation in some client format: cut to a skeleton, or dropped. */
const CONVERSATION_ARRAYS = ['messages', 'input', 'contents'];
const CONVERSATION_TEXTS = ['system', 'instructions', 'systemInstruction'];
/** Strings up to this length (roles, types) stay in a skeleton; longer ones (text) become empty. */
const KEPT_STRING = 32;

/**
 * The first entry of a conversation, reduced to its shape: short strings kept, text emptied, each
 * array cut to its first entry. Decoders that refuse an empty conversation accept it, and it is a
 * few bytes whatever the conversation holds.
 */
const skeletonOf = (value: unknown, depth = 0): unknown => {
  if (typeof value === 'string') return value.length <= KEPT_STRING ? value : '';
  if (Array.isArray(value)) return value.length === 0 || depth > 8 ? [] : [skeletonOf(value[0], depth + 1)];
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, skeletonOf(entry, depth + 1)]));
};

/**
 * The client's request without its conversation (a skeleton of its first entry stands in for it),
 * decoded from the body on first use and then kept:
 * what a passthrough stream may need of its request at its end (the in-stream error's echo of the
 * model and options, the reasoning floor of an estimate). The stream keeps this, not the body, and a
 * passthrough that needs neither never decodes its request (a long agent history costs ~1 ms to decode).
 * Undefined when the body does not decode.
 */
export const lightRequestOf = (context: Pick<AttemptContext, 'clientCodec' | 'route' | 'body' | 'stream'>): (() => IrRequest | undefined) => {
  const { clientCodec, route, stream } = context;
  const body: Record<string, unknown> = { ...context.body };
  for (const field of CONVERSATION_ARRAYS) if (field in body) body[field] = skeletonOf(body[field]);
  for (const field of CONVERSATION_TEXTS) delete body[field];
  const model = route.model ?? (typeof body.model === 'string' ? body.model : '');
  let decoded: IrRequest | undefined | null = null;
  return () => {
    if (decoded !== null) return decoded;
    try {
      decoded = clientCodec.decodeRequest(body, { ...route, model, stream });
    } catch {
      decoded = undefined;
    }
    return decoded;
  };
};

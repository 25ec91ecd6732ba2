import { RelayError } from '../errors';
import type { IrStreamEvent } from '../ir/stream-event';
import type { ProviderConfig } from '../routing/provider';
import type { ChunkFacts, StreamRenderer } from '../streams/stream-relay';

/**
 * Upstreams echo what they were sent in their errors ("Incorrect API key provided: sk-…"). Everything
 * an upstream says that goes back to a client on an error path (error bodies and headers, in-stream
 * error events) passes through the provider's Redactor first. Success bodies are not scanned: an
 * upstream does not put its caller's key in an answer, and scanning every chunk would cost the hot path.
 */
export interface Redactor {
  readonly active: boolean;
  text: (text: string) => string;
  bytes: (bytes: Uint8Array) => Uint8Array;
  headers: (headers: Record<string, string>) => Record<string, string>;
  error(error: RelayError): RelayError;
}

export const REDACTED = '[redacted]';

/** Shorter configured values ("1", "true", a version number) are not secrets and would mangle messages. */
const MIN_SECRET_LENGTH = 8;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const NO_SECRETS: Redactor = {
  active: false,
  text: (text) => text,
  bytes: (bytes) => bytes,
  headers: (headers) => headers,
  error: (error) => error,
};

/** The secrets as they may appear in a body: as sent, and as a JSON string spells them. */
const spellingsOf = (secrets: readonly string[]): string[] => {
  const out = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    out.add(secret);
    out.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first: a secret that contains another is replaced whole.
  return [...out].sort((a, b) => b.length - a.length);
};

/** A word an upstream masked ("sk-abc1****…wxyz", "sk-…wxyz"): a visible head, a run of `*`, `•`, `x` or dots, a visible tail. */
const MASKED_WORD = /[^\s"'`,;()<>[\]{}]*(?:\*{3,}|•{3,}|x{8,}|\.{3}|…)[^\s"'`,;()<>[\]{}.]*/g;
/** How much of a secret's end a masked word may show before it counts as that secret (the "last 4" of consoles). */
const MIN_VISIBLE_TAIL = 3;
/** How much of a secret's start must show: short prefixes ("sk-") are shared by every key of a vendor and say nothing. */
const MIN_VISIBLE_HEAD = 6;

/** "sk-proj-abcd" shows part of the key itself; "sk-proj-" only the vendor's prefix. */
const pastVendorPrefix = (head: string): boolean => head.length - Math.max(head.lastIndexOf('-'), head.lastIndexOf('_')) > 3;

/**
 * Upstreams often echo a key half-masked: OpenAI's "Incorrect API key provided: sk-proj-****…wxyz"
 * shows the key's head and its last characters. A masked word whose visible tail ends one of the
 * secrets, or whose visible head starts one beyond its vendor prefix, is that secret too.
 */
const unmaskSecrets = (secrets: readonly string[]) => {
  const long = secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH);
  return (word: string): boolean => {
    const head = /^[^*•.…]*/.exec(word)?.[0].replace(/x{8,}.*$/, '') ?? '';
    const tail = /[^*•.…x]*$/.exec(word)?.[0] ?? '';
    return long.some(
      (secret) =>
        (tail.length >= MIN_VISIBLE_TAIL && tail.length < secret.length && secret.endsWith(tail)) ||
        (head.length >= MIN_VISIBLE_HEAD && head.length < secret.length && secret.startsWith(head) && pastVendorPrefix(head)),
    );
  };
};

export const redactorOf = (secrets: readonly string[]): Redactor => {
  const spellings = spellingsOf(secrets);
  if (spellings.length === 0) return NO_SECRETS;
  const isMaskedSecret = unmaskSecrets(secrets);
  const text = (value: string): string => {
    let out = value;
    for (const secret of spellings) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out.replace(MASKED_WORD, (word) => (isMaskedSecret(word) ? REDACTED : word));
  };
  return {
    active: true,
    text,
    bytes: (bytes) => {
      const before = decoder.decode(bytes);
      const after = text(before);
      return after === before ? bytes : encoder.encode(after);
    },
    headers: (headers) => Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, text(value)])),
    error: (error) => {
      const message = text(error.message);
      if (message === error.message) return error;
      return new RelayError(error.kind, error.status, message, {
        ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
        ...(error.param === undefined ? {} : { param: error.param }),
        ...(error.code === undefined ? {} : { code: error.code }),
        ...(error.upstreamStatus === undefined ? {} : { upstreamStatus: error.upstreamStatus }),
      });
    },
  };
};

/**
 * Keyed by the provider object a request used: route tables are rebuilt when a provider changes, so
 * a rotated key is a new object and an old request still finds the key it sent.
 */
const byProvider = new WeakMap<ProviderConfig, Redactor>();

/** Called by the upstream fetch with the key it sends: the redactor is then ready, synchronously, for any error path. */
export const rememberProviderSecrets = (provider: ProviderConfig, apiKey: string): void => {
  if (!byProvider.has(provider)) byProvider.set(provider, redactorOf([apiKey, ...Object.values(provider.headers)]));
};

export const redactorFor = (provider: ProviderConfig): Redactor => byProvider.get(provider) ?? NO_SECRETS;

const redactEvents = (events: IrStreamEvent[], redactor: Redactor): IrStreamEvent[] | undefined => {
  let out: IrStreamEvent[] | undefined;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    if (event.type !== 'error') continue;
    out ??= [...events];
    out[i] = { ...event, error: redactor.error(event.error) };
  }
  return out;
};

/**
 * A stream renderer whose chunks carrying an upstream error are scanned: the IR error (what a
 * translated or relay-made error event says) and the bytes (a passthrough relays the upstream's own
 * event). Chunks without an error pass untouched. An error event whose secret straddles two upstream
 * chunks has its first part sent before the error is known; no upstream seen splits that small an event.
 */
export const redactingRenderer = (inner: StreamRenderer, redactor: Redactor): StreamRenderer => {
  if (!redactor.active) return inner;
  return {
    ...inner,
    chunk: (facts: ChunkFacts) => {
      const ir = redactEvents(facts.ir, redactor);
      if (ir === undefined) return inner.chunk(facts);
      return inner.chunk({ ...facts, ir }).map(redactor.bytes);
    },
    end: (events: IrStreamEvent[]) => {
      const ir = redactEvents(events, redactor);
      return ir === undefined ? inner.end(events) : inner.end(ir).map(redactor.bytes);
    },
  };
};

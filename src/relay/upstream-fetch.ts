import { openSecret } from '../crypto/opened-secrets';
import { apiKeyBinding } from '../crypto/provider-secrets';
import { fetchWithoutRedirect } from '../net/fetch-without-redirect';
import type { Env } from '../env';
import { RelayError, type ErrorKind } from '../errors';
import type { WireFormat } from '../ir/format';
import { mockUpstream } from '../mock/mock-upstream';
import type { EncodedUpstreamRequest, UpstreamTarget } from '../protocols/codec';
import { codecFor } from '../protocols/registry';
import { rememberProviderSecrets } from './redact-secrets';
import { classifyEdgeStatus, classifyFetchError, UpstreamFailure } from './upstream-failure';
import type { ProviderConfig } from '../routing/provider';

const DEFAULT_FIRST_BYTE_TIMEOUT_MS = 120_000;
const DEFAULT_IDLE_TIMEOUT_MS = 120_000;

/** Until response headers, and for streams until the first content event. */
export const firstByteTimeoutOf = (provider: ProviderConfig): number => provider.firstByteTimeoutMs ?? DEFAULT_FIRST_BYTE_TIMEOUT_MS;
/** Longest silence allowed between two chunks of a response body. */
export const idleTimeoutOf = (provider: ProviderConfig): number => provider.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;

export interface UpstreamCall {
  provider: ProviderConfig;
  format: WireFormat;
  target: UpstreamTarget;
  encoded: EncodedUpstreamRequest;
  /** The body exactly as the client sent it, when the encoded body is the client's unchanged (passthrough). */
  bodyText?: string;
  /** Client headers to forward (same-format passthrough only). */
  forwardHeaders?: Record<string, string>;
  /** Aborted when the client goes away or the relay gives up; it aborts the fetch at any point, body included. */
  signal: AbortSignal;
}

const joinUrl = (baseUrl: string, path: string): string => `${baseUrl.replace(/\/+$/, '')}${path}`;

const decryptedKey = async (env: Env, provider: ProviderConfig): Promise<string> => {
  if (provider.apiKeyEncrypted === null) return '';
  if (!env.ENCRYPTION_KEY) throw new RelayError('api_error', 500, 'relay misconfigured: ENCRYPTION_KEY is not set');
  return openSecret(env.ENCRYPTION_KEY, provider.apiKeyEncrypted, apiKeyBinding(provider));
};

/**
 * Sends one upstream request and resolves with its response headers. The first-byte timeout covers
 * the time until headers arrive; the body is then the caller's to read (idle and first-content
 * timeouts are applied by its reader). `call.signal` stays wired to the fetch after the headers, so
 * aborting it (client gone, relay gave up) closes the upstream connection mid-body too. Network
 * failures and timeouts become RelayErrors the fallback loop can act on; the upstream's key never
 * appears in an error, and the key and configured header values are handed to the redactor that
 * scrubs them from whatever the upstream echoes (redact-secrets.ts).
 */
export const fetchUpstream = async (env: Env, call: UpstreamCall): Promise<Response> => {
  const { provider } = call;
  if (provider.protocol === 'mock') return mockUpstream(call.format, call.encoded, call.target);

  const codec = codecFor(call.format);
  const headers = new Headers({ 'content-type': 'application/json', accept: call.target.stream ? 'text/event-stream' : 'application/json' });
  for (const [name, value] of Object.entries(call.forwardHeaders ?? {})) headers.set(name, value);
  for (const [name, value] of Object.entries(provider.headers)) headers.set(name, value);
  for (const [name, value] of Object.entries(call.encoded.headers ?? {})) headers.set(name, value);
  const apiKey = await decryptedKey(env, provider);
  rememberProviderSecrets(provider, apiKey);
  if (apiKey !== '') for (const [name, value] of Object.entries(codec.authHeaders(apiKey))) headers.set(name, value);

  const timeoutMs = firstByteTimeoutOf(provider);
  const controller = new AbortController();
  // The listener stays for the body's whole read: it closes over the signal, not `call` (the request body).
  const { signal } = call;
  const onClientAbort = () => controller.abort(signal.reason);
  signal.addEventListener('abort', onClientAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new UpstreamFailure('timeout', provider.id, { detail: `no response within ${timeoutMs} ms` })), timeoutMs);
  try {
    const response = await fetchWithoutRedirect(joinUrl(provider.baseUrl, call.encoded.path), {
      method: 'POST',
      headers,
      body: call.bodyText ?? JSON.stringify(call.encoded.body),
      signal: controller.signal,
    });
    const edgeFailure = classifyEdgeStatus(response.status, response.headers.get('content-type'));
    if (edgeFailure === undefined) return response;
    // Cloudflare's own error page for an origin it could not reach: it names the host, so it never reaches a client.
    await response.body?.cancel();
    throw new UpstreamFailure(edgeFailure, provider.id, { upstreamStatus: response.status, detail: `status ${response.status}` });
  } catch (error) {
    signal.removeEventListener('abort', onClientAbort);
    if (error instanceof UpstreamFailure) throw error;
    if (controller.signal.reason instanceof RelayError) throw controller.signal.reason;
    if (call.signal.aborted) throw new RelayError('api_error', 499, 'client closed the request', { cause: error });
    throw new UpstreamFailure(classifyFetchError(error), provider.id, { cause: error });
  } finally {
    clearTimeout(timer);
  }
};

/** Error kinds after which another candidate may succeed (the upstream's trouble, not the request's). */
export const isRetryableKind = (kind: ErrorKind): boolean =>
  kind === 'api_error' || kind === 'overloaded' || kind === 'rate_limit' || kind === 'timeout';

/** Statuses after which the next candidate is tried (before any byte reached the client). */
export const isRetryableStatus = (status: number): boolean =>
  status === 408 || status === 429 || status === 500 || status === 502 || status === 503 || status === 504 || status === 529;

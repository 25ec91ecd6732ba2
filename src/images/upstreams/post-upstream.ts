import { openSecret } from '../../crypto/opened-secrets';
import { apiKeyBinding } from '../../crypto/provider-secrets';
import { fetchWithoutRedirect } from '../../net/fetch-without-redirect';
import type { Env } from '../../env';
import type { ProviderConfig } from '../../routing/provider';
import { ImageFailure, isRetryableUpstreamStatus } from './image-failure';

/** Image models are slow; a provider's own first-byte timeout wins when set. */
const DEFAULT_IMAGE_TIMEOUT_MS = 180_000;

const joinUrl = (baseUrl: string, path: string): string => `${baseUrl.replace(/\/+$/, '')}${path}`;

const providerKey = async (env: Env, provider: ProviderConfig): Promise<string> => {
  if (provider.apiKeyEncrypted === null) return '';
  if (!env.ENCRYPTION_KEY) throw new ImageFailure('misconfigured', 'relay misconfigured: ENCRYPTION_KEY is not set', false);
  return openSecret(env.ENCRYPTION_KEY, provider.apiKeyEncrypted, apiKeyBinding(provider));
};

const upstreamMessage = (text: string): string => {
  try {
    const body: unknown = JSON.parse(text);
    if (body !== null && typeof body === 'object' && 'error' in body) {
      const error = body.error;
      if (typeof error === 'string') return error;
      if (error !== null && typeof error === 'object' && 'message' in error && typeof error.message === 'string') return error.message;
    }
  } catch {
    // not JSON: the text itself, shortened, is the best message there is
  }
  return text.slice(0, 300);
};

/**
 * POSTs JSON (or, given FormData, multipart with fetch's own boundary) to an image upstream and
 * returns its parsed JSON. Non-2xx answers become ImageFailures carrying the upstream's own message
 * (never the key); retryable when the status says so.
 */
export const postUpstreamJson = async (
  env: Env,
  provider: ProviderConfig,
  path: string,
  body: unknown,
  authHeaders: (key: string) => Record<string, string>,
  signal: AbortSignal,
): Promise<unknown> => {
  const isForm = body instanceof FormData;
  const headers = new Headers(isForm ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' });
  for (const [name, value] of Object.entries(provider.headers)) {
    // A multipart body's content-type carries its boundary; an operator header must not replace it.
    if (isForm && name.toLowerCase() === 'content-type') continue;
    headers.set(name, value);
  }
  const key = await providerKey(env, provider);
  if (key !== '') for (const [name, value] of Object.entries(authHeaders(key))) headers.set(name, value);
  const timeout = AbortSignal.timeout(provider.firstByteTimeoutMs ?? DEFAULT_IMAGE_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetchWithoutRedirect(joinUrl(provider.baseUrl, path), { method: 'POST', headers, body: isForm ? body : JSON.stringify(body), signal: AbortSignal.any([signal, timeout]) });
  } catch (error) {
    if (timeout.aborted) throw new ImageFailure('timeout', `${provider.id}: no answer within the timeout`, true);
    throw new ImageFailure('upstream_error', `${provider.id}: upstream connection failed (${String(error)})`, true);
  }
  const text = await response.text();
  if (!response.ok) {
    throw new ImageFailure('upstream_error', `${provider.id} answered ${response.status}: ${upstreamMessage(text)}`, isRetryableUpstreamStatus(response.status));
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ImageFailure('invalid_output', `${provider.id} answered with a body that is not JSON`, true);
  }
};

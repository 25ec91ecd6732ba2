import { apiKeyBinding, sealHeaders } from '../crypto/provider-secrets';
import { encryptSecret, originOf } from '../crypto/secret-box';
import type { Env } from '../env';
import { RelayError } from '../errors';

const encryptionKeyOf = (env: Env): string => {
  if (!env.ENCRYPTION_KEY) throw new RelayError('api_error', 500, 'relay misconfigured: set the ENCRYPTION_KEY secret to store upstream keys and headers');
  return env.ENCRYPTION_KEY;
};

interface SecretInput {
  apiKey?: string;
  headers?: Record<string, string>;
}

/** The stored columns for a new provider's key and headers, sealed to its id and baseUrl origin. */
export const sealNewProviderSecrets = async (env: Env, provider: { id: string; baseUrl: string } & SecretInput) => {
  const headers = provider.headers ?? {};
  const needsKey = provider.apiKey !== undefined || Object.keys(headers).length > 0;
  const secret = needsKey ? encryptionKeyOf(env) : '';
  return {
    apiKeyEncrypted: provider.apiKey === undefined ? null : await encryptSecret(secret, provider.apiKey, apiKeyBinding(provider)),
    headers: needsKey ? await sealHeaders(secret, provider, headers) : {},
  };
};

/**
 * The columns a PATCH writes for the key and headers. Moving baseUrl to another origin without sending
 * the key (and headers) again is refused: the stored ones were entered for the old origin, and
 * re-sealing them for the new one would let whoever edits baseUrl collect them there.
 */
export const sealUpdatedProviderSecrets = async (
  env: Env,
  current: { id: string; baseUrl: string; hasApiKey: boolean; headers: string[] },
  input: { baseUrl?: string } & SecretInput,
) => {
  const owner = { id: current.id, baseUrl: input.baseUrl ?? current.baseUrl };
  if (originOf(owner.baseUrl) !== originOf(current.baseUrl)) {
    const move = `baseUrl moves from ${originOf(current.baseUrl)} to ${originOf(owner.baseUrl)}`;
    if (current.hasApiKey && input.apiKey === undefined) {
      throw new RelayError('invalid_request', 400, `apiKey: ${move}; send apiKey again (a stored key is only sent to the origin it was entered for)`, { param: 'apiKey' });
    }
    if (current.headers.length > 0 && input.headers === undefined) {
      throw new RelayError('invalid_request', 400, `headers: ${move}; send headers again (stored header values are only sent to the origin they were entered for)`, { param: 'headers' });
    }
  }
  const columns: { apiKeyEncrypted?: string; headers?: Record<string, string> } = {};
  if (input.apiKey !== undefined) columns.apiKeyEncrypted = await encryptSecret(encryptionKeyOf(env), input.apiKey, apiKeyBinding(owner));
  if (input.headers !== undefined) {
    columns.headers = Object.keys(input.headers).length === 0 ? {} : await sealHeaders(encryptionKeyOf(env), owner, input.headers);
  }
  return columns;
};

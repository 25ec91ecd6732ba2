import { decryptSecret, encryptSecret, isSealed, type SecretBinding } from './secret-box';

/** What a provider's secrets are bound to: its id and the origin of its baseUrl. */
export interface SecretOwner {
  id: string;
  baseUrl: string;
}

export const apiKeyBinding = (owner: SecretOwner): SecretBinding => ({ providerId: owner.id, baseUrl: owner.baseUrl, field: 'apiKey' });

const headerBinding = (owner: SecretOwner, name: string): SecretBinding => ({ providerId: owner.id, baseUrl: owner.baseUrl, field: `header:${name.toLowerCase()}` });

/** Configured header values sealed one by one (they often carry a second credential); names stay readable for listings. */
export const sealHeaders = async (secret: string, owner: SecretOwner, headers: Record<string, string>): Promise<Record<string, string>> => {
  const sealed: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) sealed[name] = await encryptSecret(secret, value, headerBinding(owner, name));
  return sealed;
};

/**
 * Stored header values opened for sending. Values stored before headers were sealed are plain text and
 * pass as they are until the provider's headers are written again. Throws when a sealed value does not open.
 */
export const openHeaders = async (secret: string | undefined, owner: SecretOwner, stored: Record<string, string>): Promise<Record<string, string>> => {
  const opened: Record<string, string> = {};
  for (const [name, value] of Object.entries(stored)) {
    if (!isSealed(value)) opened[name] = value;
    else if (secret === undefined || secret === '') throw new Error(`provider ${owner.id}: ENCRYPTION_KEY is not set, header ${name} cannot be opened`);
    else opened[name] = await decryptSecret(secret, value, headerBinding(owner, name));
  }
  return opened;
};

import { decryptSecret, type SecretBinding } from './secret-box';

const MAX_ENTRIES = 1_000;
const opened = new Map<string, Promise<string>>();

/**
 * decryptSecret, remembered per isolate by ciphertext and binding: an upstream key is opened once, not
 * on every request (AES-GCM through SubtleCrypto costs a promise round trip each time). A rotated key
 * is a new ciphertext and a moved baseUrl a new binding, so nothing stale can be served; a failed
 * decrypt is not remembered.
 */
export const openSecret = (secret: string, sealed: string, binding: SecretBinding): Promise<string> => {
  const id = [sealed, secret, binding.providerId, binding.baseUrl, binding.field].join('\u0000');
  let plaintext = opened.get(id);
  if (plaintext === undefined) {
    if (opened.size >= MAX_ENTRIES) opened.clear();
    plaintext = decryptSecret(secret, sealed, binding);
    opened.set(id, plaintext);
    plaintext.catch(() => opened.delete(id));
  }
  return plaintext;
};

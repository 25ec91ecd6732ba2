import { decryptSecret } from './secret-box';

const MAX_ENTRIES = 1_000;
const opened = new Map<string, Promise<string>>();

/**
 * decryptSecret, remembered per isolate by ciphertext: an upstream key is opened once, not on every
 * request (AES-GCM through SubtleCrypto costs a promise round trip each time). A rotated key is a
 * new ciphertext, so nothing stale can be served; a failed decrypt is not remembered.
 */
export const openSecret = (secret: string, sealed: string): Promise<string> => {
  const id = `${sealed}\u0000${secret}`;
  let plaintext = opened.get(id);
  if (plaintext === undefined) {
    if (opened.size >= MAX_ENTRIES) opened.clear();
    plaintext = decryptSecret(secret, sealed);
    opened.set(id, plaintext);
    plaintext.catch(() => opened.delete(id));
  }
  return plaintext;
};

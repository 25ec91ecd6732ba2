/**
 * AES-GCM for upstream API keys at rest. The 256-bit key is SHA-256 of the ENCRYPTION_KEY secret, so
 * any secret string works; ciphertexts are `base64(iv).base64(ciphertext+tag)`.
 */
const keyCache = new Map<string, Promise<CryptoKey>>();

const importKey = (secret: string): Promise<CryptoKey> => {
  let key = keyCache.get(secret);
  if (key === undefined) {
    key = crypto.subtle
      .digest('SHA-256', new TextEncoder().encode(secret))
      .then((raw) => crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']));
    keyCache.set(secret, key);
  }
  return key;
};

const toBase64 = (bytes: Uint8Array): string => {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
};
const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));

export const encryptSecret = async (secret: string, plaintext: string): Promise<string> => {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await importKey(secret);
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(plaintext));
  return `${toBase64(iv)}.${toBase64(new Uint8Array(sealed))}`;
};

export const decryptSecret = async (secret: string, sealed: string): Promise<string> => {
  const [ivText, dataText] = sealed.split('.');
  if (ivText === undefined || dataText === undefined) throw new Error('malformed ciphertext');
  const key = await importKey(secret);
  const opened = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(ivText) }, key, fromBase64(dataText));
  return new TextDecoder().decode(opened);
};

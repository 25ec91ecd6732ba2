/**
 * AES-256-GCM for provider secrets at rest (upstream API keys, configured header values).
 *
 * Current format `v2:base64(iv).base64(ciphertext+tag)`: the AES key is HKDF-SHA-256 of the
 * ENCRYPTION_KEY secret, and every ciphertext is bound (as additional authenticated data) to what it
 * belongs to: the provider id, the origin of its baseUrl and the field. A ciphertext copied to another
 * provider, or left in place while baseUrl moves to another origin, no longer opens, so a stored key
 * can only ever be sent to the origin it was entered for.
 *
 * Legacy format `base64(iv).base64(ciphertext+tag)` (no prefix; key = SHA-256 of the secret, no AAD) is
 * still opened, so existing deployments keep working; every write produces the current format.
 */
export interface SecretBinding {
  providerId: string;
  baseUrl: string;
  /** `apiKey`, or `header:<lowercase name>`. */
  field: string;
}

const VERSION = 'v2:';
const encoder = new TextEncoder();

/** `https://api.example.com` from `https://api.example.com/v1`; `mock://` keeps its scheme. Unparseable → the text itself. */
export const originOf = (baseUrl: string): string => {
  try {
    const url = new URL(baseUrl);
    return `${url.protocol}//${url.host}`;
  } catch {
    return baseUrl;
  }
};

const aadOf = (binding: SecretBinding): Uint8Array =>
  encoder.encode(['polyrelay provider secret', binding.providerId, originOf(binding.baseUrl), binding.field].join('\u0000'));

const derivedKeys = new Map<string, Promise<CryptoKey>>();
const legacyKeys = new Map<string, Promise<CryptoKey>>();

const derivedKey = (secret: string): Promise<CryptoKey> => {
  let key = derivedKeys.get(secret);
  if (key === undefined) {
    key = crypto.subtle
      .importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey'])
      .then((material) =>
        crypto.subtle.deriveKey(
          { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode('polyrelay secret-box'), info: encoder.encode('provider secrets v2') },
          material,
          { name: 'AES-GCM', length: 256 },
          false,
          ['encrypt', 'decrypt'],
        ),
      );
    derivedKeys.set(secret, key);
  }
  return key;
};

const legacyKey = (secret: string): Promise<CryptoKey> => {
  let key = legacyKeys.get(secret);
  if (key === undefined) {
    key = crypto.subtle.digest('SHA-256', encoder.encode(secret)).then((raw) => crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['decrypt']));
    legacyKeys.set(secret, key);
  }
  return key;
};

const toBase64 = (bytes: Uint8Array): string => {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
};
const fromBase64 = (text: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));

const SEALED = /^v2:[A-Za-z0-9+/]+={0,2}\.[A-Za-z0-9+/]+={0,2}$/;

/** Whether a stored value is a current-format ciphertext (header values written before sealing are plain text). */
export const isSealed = (value: string): boolean => SEALED.test(value);

export const encryptSecret = async (secret: string, plaintext: string, binding: SecretBinding): Promise<string> => {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await derivedKey(secret);
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aadOf(binding) }, key, encoder.encode(plaintext));
  return `${VERSION}${toBase64(iv)}.${toBase64(new Uint8Array(sealed))}`;
};

/** Throws when the ciphertext is malformed, was sealed with another secret, or belongs to another provider, origin or field. */
export const decryptSecret = async (secret: string, sealed: string, binding: SecretBinding): Promise<string> => {
  const current = sealed.startsWith(VERSION);
  const [ivText, dataText, extra] = (current ? sealed.slice(VERSION.length) : sealed).split('.');
  if (ivText === undefined || dataText === undefined || extra !== undefined) throw new Error('malformed ciphertext');
  const iv = fromBase64(ivText);
  const params = current ? { name: 'AES-GCM', iv, additionalData: aadOf(binding) } : { name: 'AES-GCM', iv };
  const key = await (current ? derivedKey(secret) : legacyKey(secret));
  return new TextDecoder().decode(await crypto.subtle.decrypt(params, key, fromBase64(dataText)));
};

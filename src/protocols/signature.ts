import type { IrSignature } from '../ir/content';
import type { WireFormat } from '../ir/format';

/**
 * Opaque reasoning state in foreign fields. When a signature minted by one upstream format must ride
 * in another format's field (an Anthropic `signature`, a Responses `encrypted_content`), it is
 * wrapped in an envelope `prx1:<tag>:<payload>` so that the next request can hand it back to the
 * upstream that minted it, and never to another one (forged signatures are rejected upstream).
 *
 *   prx1:gem:fc:<thoughtSignature>   Gemini signature that sat on a functionCall part
 *   prx1:gem:tx:<thoughtSignature>   Gemini signature that sat on a text part
 *   prx1:oai:<base64url(JSON{id, encrypted_content})>   Responses reasoning item
 *   prx1:ant:<signature>             Anthropic signature carried in a non-Anthropic field
 *   prx1:none                        a thinking block with no signature at all
 */
const PREFIX = 'prx1:';
const NO_SIGNATURE = 'prx1:none';

const toBase64Url = (text: string): string => {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

const fromBase64Url = (text: string): string => {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return new TextDecoder().decode(bytes);
};

/** The string to put in `field owner`'s field: raw when the owner minted it, else an envelope. */
export const wrapSignature = (signature: IrSignature | undefined, fieldOwner: WireFormat): string => {
  if (signature === undefined) return NO_SIGNATURE;
  if (signature.origin === fieldOwner) return signature.value;
  switch (signature.origin) {
    case 'gemini':
      return `${PREFIX}gem:${signature.placement ?? 'fc'}:${signature.value}`;
    case 'openai-responses':
      return `${PREFIX}oai:${toBase64Url(JSON.stringify({ id: signature.itemId, encrypted_content: signature.value }))}`;
    case 'anthropic':
      return `${PREFIX}ant:${signature.value}`;
    case 'openai-chat':
      return NO_SIGNATURE;
  }
};

/**
 * Reads a signature string found in `fieldOwner`'s field. A plain string is the owner's own;
 * an envelope names its origin. Returns undefined for `prx1:none` or an unreadable envelope.
 */
export const unwrapSignature = (value: string | undefined | null, fieldOwner: WireFormat): IrSignature | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  if (!value.startsWith(PREFIX)) return { origin: fieldOwner, value };
  const rest = value.slice(PREFIX.length);
  if (rest.startsWith('gem:fc:')) return { origin: 'gemini', placement: 'fc', value: rest.slice(7) };
  if (rest.startsWith('gem:tx:')) return { origin: 'gemini', placement: 'tx', value: rest.slice(7) };
  if (rest.startsWith('ant:')) return { origin: 'anthropic', value: rest.slice(4) };
  if (rest.startsWith('oai:')) {
    try {
      const parsed = JSON.parse(fromBase64Url(rest.slice(4))) as { id?: unknown; encrypted_content?: unknown };
      if (typeof parsed.encrypted_content !== 'string') return undefined;
      return {
        origin: 'openai-responses',
        value: parsed.encrypted_content,
        ...(typeof parsed.id === 'string' ? { itemId: parsed.id } : {}),
      };
    } catch {
      return undefined;
    }
  }
  return undefined;
};

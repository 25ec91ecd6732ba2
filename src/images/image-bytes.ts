import { isPublicUrl } from '../net/url-safety';
import { ImageFailure } from './upstreams/image-failure';

export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
/** All input images of one request together: they are held in memory, then base64-encoded, inside a 128 MB isolate. */
export const MAX_INPUT_IMAGES_BYTES = 32 * 1024 * 1024;
const MAX_REDIRECTS = 3;

/** The content type from the bytes themselves, so /v1/files never serves what an upstream mislabelled. */
export const sniffImageType = (bytes: Uint8Array): string | undefined => {
  const at = (index: number) => bytes[index] ?? -1;
  if (at(0) === 0x89 && at(1) === 0x50 && at(2) === 0x4e && at(3) === 0x47) return 'image/png';
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'image/jpeg';
  if (at(0) === 0x47 && at(1) === 0x49 && at(2) === 0x46 && at(3) === 0x38) return 'image/gif';
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return undefined;
};

export const base64ToBytes = (text: string): Uint8Array => {
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    throw new ImageFailure('invalid_output', 'upstream returned image data that is not valid base64', true);
  }
};

export const bytesToBase64 = (bytes: Uint8Array): string => {
  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += 0x8000) binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  return btoa(binary);
};

export interface ImageBytes {
  bytes: Uint8Array;
  contentType: string;
}

export const checkedImage = (bytes: Uint8Array): ImageBytes => {
  if (bytes.length === 0) throw new ImageFailure('invalid_output', 'upstream returned an empty image', true);
  if (bytes.length > MAX_IMAGE_BYTES) throw new ImageFailure('invalid_output', `upstream image exceeds ${MAX_IMAGE_BYTES} bytes`, false);
  const contentType = sniffImageType(bytes);
  if (contentType === undefined) throw new ImageFailure('invalid_output', 'upstream returned bytes that are not a PNG, JPEG, GIF or WebP image', true);
  return { bytes, contentType };
};

const tooLarge = (): ImageFailure => new ImageFailure('invalid_output', `image exceeds ${MAX_IMAGE_BYTES} bytes`, false);

/**
 * Reads a body up to `cap` bytes and cancels it the moment it goes over, so a huge or endless body
 * costs at most `cap` bytes of memory (a declared content-length over the cap is refused unread).
 * Takes a response or a client's request; `overCap` is what is thrown past the cap.
 */
export const readCapped = async (
  response: Pick<Response, 'headers' | 'body'>,
  cap: number,
  overCap: () => Error = tooLarge,
): Promise<Uint8Array> => {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > cap) {
    await response.body?.cancel();
    throw overCap();
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel();
      throw overCap();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
};

/**
 * Downloads an image. Client-supplied URLs (guarded) are re-checked on every redirect hop, since a
 * public URL may redirect to a private one; upstream-supplied result URLs come from the operator's
 * provider and are trusted like its baseUrl.
 */
export const downloadImage = async (
  url: string,
  options: { guarded: boolean; allowPrivate: boolean; signal: AbortSignal; maxBytes?: number },
): Promise<ImageBytes> => {
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (options.guarded && !isPublicUrl(current, { allowData: false, allowPrivate: options.allowPrivate })) {
      throw new ImageFailure('invalid_input', 'an image URL redirected to a private or non-http address', false);
    }
    let response: Response;
    try {
      response = await fetch(current, { redirect: 'manual', signal: options.signal });
    } catch (error) {
      throw new ImageFailure('download_failed', `could not download ${new URL(current).host}: ${String(error)}`, true);
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      current = new URL(location, current).toString();
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new ImageFailure('download_failed', `downloading ${new URL(current).host} answered ${response.status}`, response.status >= 500 || response.status === 429);
    }
    return checkedImage(await readCapped(response, Math.min(MAX_IMAGE_BYTES, options.maxBytes ?? MAX_IMAGE_BYTES)));
  }
  throw new ImageFailure('download_failed', `more than ${MAX_REDIRECTS} redirects`, false);
};

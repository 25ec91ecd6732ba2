import type { ImageBytes } from '../image-bytes';
import { pixelSize } from './pixel-size';
import type { ImageRequest } from '../tasks/task';

/**
 * The built-in mock provider's image: a small deterministic PNG (1/16 of the requested size, colours
 * derived from the prompt), so the whole task flow runs under `npm run dev` with no upstream. Written
 * with stored (uncompressed) deflate blocks: no compressor needed, and the same input gives the same bytes.
 */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

const crc32 = (bytes: Uint8Array): number => {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
};

const adler32 = (bytes: Uint8Array): number => {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
};

const u32 = (value: number): number[] => [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];

const chunk = (type: string, data: Uint8Array): number[] => {
  const typed = new Uint8Array([...type].map((char) => char.charCodeAt(0)).concat(Array.from(data)));
  return [...u32(data.length), ...typed, ...u32(crc32(typed))];
};

const zlibStored = (raw: Uint8Array): Uint8Array => {
  const out: number[] = [0x78, 0x01];
  for (let offset = 0; offset < raw.length || offset === 0; offset += 0xffff) {
    const block = raw.subarray(offset, offset + 0xffff);
    const last = offset + 0xffff >= raw.length ? 1 : 0;
    out.push(last, block.length & 0xff, block.length >>> 8, ~block.length & 0xff, (~block.length >>> 8) & 0xff, ...block);
    if (last) break;
  }
  out.push(...u32(adler32(raw)));
  return new Uint8Array(out);
};

const promptHash = (prompt: string): number => {
  let hash = 2166136261;
  for (const char of prompt) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 16777619) >>> 0;
  return hash;
};

export const encodeMockPng = (width: number, height: number, seed: number): Uint8Array => {
  const [r, g, b] = [(seed >>> 16) & 0xff, (seed >>> 8) & 0xff, seed & 0xff];
  const raw = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const at = row + 1 + x * 3;
      raw[at] = (r + x * 2) & 0xff;
      raw[at + 1] = (g + y * 2) & 0xff;
      raw[at + 2] = b;
    }
  }
  const header = new Uint8Array([...u32(width), ...u32(height), 8, 2, 0, 0, 0]);
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return new Uint8Array([...signature, ...chunk('IHDR', header), ...chunk('IDAT', zlibStored(raw)), ...chunk('IEND', new Uint8Array())]);
};

/** A PNG's own width and height (IHDR), capped so a forged header cannot ask for a huge mock. */
const pngDimensions = (image: ImageBytes | undefined): { width: number; height: number } | undefined => {
  if (image?.contentType !== 'image/png' || image.bytes.length < 24) return undefined;
  const view = new DataView(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength);
  return { width: Math.min(4096, view.getUint32(16)), height: Math.min(4096, view.getUint32(20)) };
};

/**
 * A generation, or an edit: with uploads, the colours also follow the inputs' sizes and a `size` of
 * `auto` keeps the first input's shape (a PNG's own dimensions), so an edit differs from a
 * generation of the same prompt and the same inputs give the same bytes.
 */
export const generateMockImage = (request: ImageRequest, uploads: readonly ImageBytes[] = [], mask: ImageBytes | null = null): ImageBytes => {
  const inputShape = request.size === 'auto' ? pngDimensions(uploads[0]) : undefined;
  const dimensions = inputShape ?? pixelSize(request.size, request.resolution) ?? { width: 1024, height: 1024 };
  const width = Math.max(1, Math.round(dimensions.width / 16));
  const height = Math.max(1, Math.round(dimensions.height / 16));
  const inputs = uploads.length === 0 ? '' : `\n${uploads.map((image) => image.bytes.length).join(',')}\n${mask?.bytes.length ?? 0}`;
  return { bytes: encodeMockPng(width, height, promptHash(`${request.prompt}${inputs}`)), contentType: 'image/png' };
};

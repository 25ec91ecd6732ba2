import { describe, expect, it } from 'vitest';
import { downloadImage, MAX_IMAGE_BYTES, readCapped } from '../../src/images/image-bytes';
import { ImageFailure } from '../../src/images/upstreams/image-failure';
import { ONE_PIXEL_PNG } from '../fakes/openai-images-upstream';
import { installFakeUpstreams } from '../setup/fake-network';

const HOST = 'https://huge.example';

/** A body that never ends, counting what the relay pulled and whether it cancelled the stream. */
const endlessBody = () => {
  const seen = { pulled: 0, cancelled: false };
  const chunk = new Uint8Array(1024 * 1024);
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      seen.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { body, seen };
};

describe('image downloads are capped while they stream', () => {
  it('stops reading an endless image body just past the cap and cancels it', async () => {
    const { body, seen } = endlessBody();
    installFakeUpstreams({ [HOST]: () => new Response(body, { headers: { 'content-type': 'image/png' } }) });
    const failure = await downloadImage(`${HOST}/a.png`, { guarded: true, allowPrivate: true, signal: new AbortController().signal }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ImageFailure);
    expect(seen.cancelled).toBe(true);
    expect(seen.pulled).toBeLessThanOrEqual(MAX_IMAGE_BYTES + 4 * 1024 * 1024);
  });

  it('refuses a declared content-length over the cap without reading the body', async () => {
    const { body, seen } = endlessBody();
    const response = new Response(body, { headers: { 'content-length': String(MAX_IMAGE_BYTES + 1) } });
    await expect(readCapped(response, MAX_IMAGE_BYTES)).rejects.toBeInstanceOf(ImageFailure);
    expect(seen.cancelled).toBe(true);
    expect(seen.pulled).toBeLessThanOrEqual(2 * 1024 * 1024);
  });

  it('honours a smaller per-request budget and still reads a small image whole', async () => {
    installFakeUpstreams({ [HOST]: () => new Response(ONE_PIXEL_PNG, { headers: { 'content-type': 'image/png' } }) });
    const image = await downloadImage(`${HOST}/ok.png`, { guarded: true, allowPrivate: true, signal: new AbortController().signal });
    expect(image.bytes).toEqual(ONE_PIXEL_PNG);
    await expect(downloadImage(`${HOST}/ok.png`, { guarded: true, allowPrivate: true, signal: new AbortController().signal, maxBytes: 10 })).rejects.toBeInstanceOf(ImageFailure);
  });
});

import { describe, expect, it } from 'vitest';
import { downloadImage } from '../../src/images/image-bytes';
import { ImageFailure } from '../../src/images/upstreams/image-failure';
import { ONE_PIXEL_PNG } from '../fakes/openai-images-upstream';
import { installFakeUpstreams } from '../setup/fake-network';

const signal = new AbortController().signal;

describe('downloadImage (client image_urls)', () => {
  it('follows a public redirect and sniffs the real content type', async () => {
    installFakeUpstreams({
      'https://cdn.example': (request) =>
        new URL(request.url).pathname === '/moved' ? new Response(null, { status: 302, headers: { location: '/cat' } }) : new Response(ONE_PIXEL_PNG, { headers: { 'content-type': 'text/plain' } }),
    });
    const image = await downloadImage('https://cdn.example/moved', { guarded: true, allowPrivate: false, signal });
    expect(image.contentType).toBe('image/png');
    expect(image.bytes).toEqual(ONE_PIXEL_PNG);
  });

  it('refuses a public URL that redirects to a private address when ALLOW_PRIVATE_URLS is off', async () => {
    let privateHit = false;
    installFakeUpstreams({
      'https://cdn.example': () => new Response(null, { status: 301, headers: { location: 'http://169.254.169.254/latest/meta-data/' } }),
      'http://169.254.169.254': () => {
        privateHit = true;
        return new Response('secret');
      },
    });
    const failure = await downloadImage('https://cdn.example/a.png', { guarded: true, allowPrivate: false, signal }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ImageFailure);
    expect(failure).toMatchObject({ code: 'invalid_input', retryable: false });
    expect(privateHit).toBe(false);
  });

  it('refuses bytes that are not an image', async () => {
    installFakeUpstreams({ 'https://cdn.example': () => new Response('<html>hi</html>', { headers: { 'content-type': 'image/png' } }) });
    await expect(downloadImage('https://cdn.example/x.png', { guarded: true, allowPrivate: false, signal })).rejects.toMatchObject({ code: 'invalid_output' });
  });
});

import type { FakeHandler } from '../setup/fake-network';

/** A tiny valid PNG (1x1), what an image upstream sends back as b64_json or behind a url. */
export const ONE_PIXEL_PNG = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='),
  (char) => char.charCodeAt(0),
);
const ONE_PIXEL_B64 = btoa(String.fromCharCode(...ONE_PIXEL_PNG));

/** What the fake does on one call: answer with b64_json, with a url, with bytes that are no image, or with an error status. */
export type FakeImagesStep = 'b64' | 'url' | 'not-an-image' | { status: number; message?: string };

export interface FakeOpenAIImages {
  handler: FakeHandler;
  /** The JSON bodies of POST /v1/images/generations, in order. */
  calls: Array<Record<string, unknown>>;
  authorizations: Array<string | null>;
}

/**
 * The OpenAI images API (POST /v1/images/generations → {created, data:[{b64_json}|{url}]}, errors
 * as {error:{message,type,code}}), answering by a script of steps; after the script, b64.
 * GET /files/one.png serves the image the url step points at.
 */
export const fakeOpenAIImagesUpstream = (origin: string, script: FakeImagesStep[] = []): FakeOpenAIImages => {
  const calls: Array<Record<string, unknown>> = [];
  const authorizations: Array<string | null> = [];
  const handler: FakeHandler = async (request) => {
    const url = new URL(request.url);
    if (request.method === 'GET' && url.pathname === '/files/one.png') return new Response(ONE_PIXEL_PNG, { headers: { 'content-type': 'image/png' } });
    if (request.method !== 'POST' || url.pathname !== '/v1/images/generations') return Response.json({ error: { message: 'not found', type: 'invalid_request_error', code: null } }, { status: 404 });
    calls.push((await request.json()) as Record<string, unknown>);
    authorizations.push(request.headers.get('authorization'));
    const step = script[calls.length - 1] ?? 'b64';
    const created = Math.floor(Date.now() / 1000);
    if (step === 'b64') return Response.json({ created, data: [{ b64_json: ONE_PIXEL_B64, revised_prompt: null }] });
    if (step === 'url') return Response.json({ created, data: [{ url: `${origin}/files/one.png` }] });
    if (step === 'not-an-image') return Response.json({ created, data: [{ b64_json: btoa('definitely not a png') }] });
    return Response.json({ error: { message: step.message ?? 'upstream exploded', type: 'server_error', code: null } }, { status: step.status });
  };
  return { handler, calls, authorizations };
};

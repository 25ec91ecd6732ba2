import type { FakeHandler } from '../setup/fake-network';

/** A tiny valid PNG (1x1), what an image upstream sends back as b64_json or behind a url. */
export const ONE_PIXEL_PNG = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='),
  (char) => char.charCodeAt(0),
);
const ONE_PIXEL_B64 = btoa(String.fromCharCode(...ONE_PIXEL_PNG));

/** What the fake does on one call: answer with b64_json, with a url, with bytes that are no image, or with an error status. */
export type FakeImagesStep = 'b64' | 'url' | 'not-an-image' | { status: number; message?: string };

/** One multipart part of an edit as the fake received it. */
export interface FakeEditFile {
  field: string;
  filename: string;
  type: string;
  bytes: Uint8Array;
}

/** POST /v1/images/edits as received: its text fields and its file parts, in order. */
export interface FakeEditCall {
  contentType: string;
  fields: Record<string, string>;
  files: FakeEditFile[];
}

export interface FakeOpenAIImages {
  handler: FakeHandler;
  /** The JSON bodies of POST /v1/images/generations, in order. */
  calls: Array<Record<string, unknown>>;
  /** The multipart bodies of POST /v1/images/edits, in order. */
  edits: FakeEditCall[];
  authorizations: Array<string | null>;
}

/** Reads an edit the way the OpenAI API does: multipart only, files as files, a prompt required. */
const readEdit = async (request: Request): Promise<FakeEditCall | Response> => {
  const contentType = request.headers.get('content-type') ?? '';
  const invalid = (message: string) => Response.json({ error: { message, type: 'invalid_request_error', code: null } }, { status: 400 });
  if (!contentType.startsWith('multipart/form-data; boundary=')) return invalid(`expected multipart/form-data, got ${contentType}`);
  const form = await request.formData();
  const call: FakeEditCall = { contentType, fields: {}, files: [] };
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') call.fields[field] = value;
    else call.files.push({ field, filename: value.name, type: value.type, bytes: new Uint8Array(await value.arrayBuffer()) });
  }
  if (!call.fields.prompt) return invalid('prompt is required');
  if (!call.files.some((file) => file.field === 'image' || file.field === 'image[]')) return invalid('image is required');
  return call;
};

/**
 * The OpenAI images API (POST /v1/images/generations with JSON, POST /v1/images/edits with multipart
 * → {created, data:[{b64_json}|{url}]}, errors as {error:{message,type,code}}), answering by one
 * script of steps shared by both endpoints; after the script, b64.
 * GET /files/one.png serves the image the url step points at.
 */
export const fakeOpenAIImagesUpstream = (origin: string, script: FakeImagesStep[] = []): FakeOpenAIImages => {
  const calls: Array<Record<string, unknown>> = [];
  const edits: FakeEditCall[] = [];
  const authorizations: Array<string | null> = [];
  const handler: FakeHandler = async (request) => {
    const url = new URL(request.url);
    if (request.method === 'GET' && url.pathname === '/files/one.png') return new Response(ONE_PIXEL_PNG, { headers: { 'content-type': 'image/png' } });
    if (request.method === 'POST' && url.pathname === '/v1/images/edits') {
      const edit = await readEdit(request);
      if (edit instanceof Response) return edit;
      edits.push(edit);
    } else if (request.method === 'POST' && url.pathname === '/v1/images/generations') {
      calls.push((await request.json()) as Record<string, unknown>);
    } else {
      return Response.json({ error: { message: 'not found', type: 'invalid_request_error', code: null } }, { status: 404 });
    }
    authorizations.push(request.headers.get('authorization'));
    const step = script[authorizations.length - 1] ?? 'b64';
    const created = Math.floor(Date.now() / 1000);
    if (step === 'b64') return Response.json({ created, data: [{ b64_json: ONE_PIXEL_B64, revised_prompt: null }] });
    if (step === 'url') return Response.json({ created, data: [{ url: `${origin}/files/one.png` }] });
    if (step === 'not-an-image') return Response.json({ created, data: [{ b64_json: btoa('definitely not a png') }] });
    return Response.json({ error: { message: step.message ?? 'upstream exploded', type: 'server_error', code: null } }, { status: step.status });
  };
  return { handler, calls, edits, authorizations };
};

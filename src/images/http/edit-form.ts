import { invalidRequest, RelayError } from '../../errors';
import { MAX_IMAGE_BYTES, MAX_INPUT_IMAGES_BYTES, readCapped, sniffImageType, type ImageBytes } from '../image-bytes';
import type { StoredUpload } from '../tasks/task';
import { MAX_IMAGE_URLS, validateImageRequest, type ValidatedImageRequest } from './validate-request';

/** The text fields an edit takes: the generations form's, without image_urls (the files are the inputs). */
const TEXT_FIELDS = new Set(['model', 'prompt', 'size', 'resolution', 'n', 'response_format', 'user', 'webhook_url']);
/** The OpenAI SDK sends one image as `image` and an array as repeated `image[]`. */
const IMAGE_FIELDS = new Set(['image', 'image[]']);

export interface EditFormLimits {
  /** The whole body: read up to this and cancelled past it. */
  maxBodyBytes: number;
  allowPrivate: boolean;
}

const hex = (bytes: ArrayBuffer): string => Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, '0')).join('');

const readForm = async (request: Request, maxBodyBytes: number): Promise<FormData> => {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) throw invalidRequest('POST /v1/images/edits takes multipart/form-data (image files, prompt, model)');
  const bytes = await readCapped(request, maxBodyBytes, () => new RelayError('request_too_large', 413, `request body exceeds ${maxBodyBytes} bytes`));
  try {
    return await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw invalidRequest('the multipart/form-data body could not be parsed');
  }
};

/** One uploaded file, checked: not empty, at most 20 MiB, a PNG/JPEG/GIF/WebP by its bytes (a mask: PNG only). */
const checkedFile = async (value: File | string, param: string, role: StoredUpload['role']): Promise<ImageBytes> => {
  if (typeof value === 'string') throw invalidRequest(`${param}: must be a file upload`, param);
  if (value.size === 0) throw invalidRequest(`${param}: the file is empty`, param);
  if (value.size > MAX_IMAGE_BYTES) throw new RelayError('invalid_request', 400, `${param}: the file exceeds ${MAX_IMAGE_BYTES} bytes`, { code: 'image_too_large', param });
  const bytes = new Uint8Array(await value.arrayBuffer());
  const contentType = sniffImageType(bytes);
  if (contentType === undefined) throw invalidRequest(`${param}: not a PNG, JPEG, GIF or WebP image`, param);
  if (role === 'mask' && contentType !== 'image/png') throw invalidRequest(`${param}: the mask must be a PNG (its transparent pixels mark what to edit)`, param);
  return { bytes, contentType };
};

/**
 * Reads a multipart edit into the same validated request as a generation, plus the uploaded files.
 * The body is read through the capped reader (a declared or counted size over the limit is refused
 * without reading the rest); every refusal is a 400 naming the field, before anything is stored.
 */
export const parseEditForm = async (request: Request, limits: EditFormLimits): Promise<ValidatedImageRequest> => {
  const form = await readForm(request, limits.maxBodyBytes);
  const text: Record<string, string> = {};
  const images: Array<File | string> = [];
  let mask: File | string | undefined;
  const unknown = new Set<string>();
  for (const [name, value] of form.entries()) {
    if (IMAGE_FIELDS.has(name)) images.push(value);
    else if (name === 'mask') {
      if (mask !== undefined) throw invalidRequest('mask: only one mask may be sent', 'mask');
      mask = value;
    } else if (TEXT_FIELDS.has(name)) {
      if (typeof value !== 'string') throw invalidRequest(`${name}: must be a text field`, name);
      if (name in text) throw invalidRequest(`${name}: sent more than once`, name);
      text[name] = value;
    } else unknown.add(name);
  }
  if (unknown.size > 0) throw invalidRequest(`unknown parameter(s): ${[...unknown].join(', ')}`, [...unknown][0]);
  if (images.length === 0) throw invalidRequest('image: Required: one or more image files', 'image');
  if (images.length > MAX_IMAGE_URLS) throw invalidRequest(`image: at most ${MAX_IMAGE_URLS} images`, 'image');

  const { n, size, ...rest } = text;
  // Multipart carries text: n is read as a number here so the shared schema judges it; an edit's
  // default size is `auto` (the input's own shape), as in the OpenAI images API.
  const validated = validateImageRequest({ ...rest, size: size ?? 'auto', ...(n === undefined ? {} : { n: /^\d+$/.test(n) ? Number(n) : n }) }, 'generations', limits.allowPrivate);

  const files: ImageBytes[] = [];
  const roles: Array<StoredUpload['role']> = [];
  for (const [index, image] of images.entries()) {
    files.push(await checkedFile(image, images.length === 1 ? 'image' : `image[${index}]`, 'image'));
    roles.push('image');
  }
  if (mask !== undefined) {
    files.push(await checkedFile(mask, 'mask', 'mask'));
    roles.push('mask');
  }
  const total = files.reduce((sum, file) => sum + file.bytes.length, 0);
  if (total > MAX_INPUT_IMAGES_BYTES) {
    throw new RelayError('invalid_request', 400, `image: the files exceed ${MAX_INPUT_IMAGES_BYTES} bytes together`, { code: 'image_too_large', param: 'image' });
  }
  const uploads = await Promise.all(
    files.map(async (file, index): Promise<StoredUpload> => ({
      role: roles[index] ?? 'image',
      contentType: file.contentType,
      bytes: file.bytes.length,
      sha256: hex(await crypto.subtle.digest('SHA-256', file.bytes)),
    })),
  );
  return { ...validated, request: { ...validated.request, uploads }, files };
};

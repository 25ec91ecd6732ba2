import * as z from 'zod/mini';
import type { Env } from '../../env';
import { base64ToBytes, checkedImage, downloadImage, type ImageBytes } from '../image-bytes';
import { ImageFailure } from './image-failure';
import { pixelSize } from './pixel-size';
import type { ImageUpstreamInput } from './generate-image';
import { postUpstreamJson } from './post-upstream';

/** @see https://platform.openai.com/docs/api-reference/images/create — lenient: only what we read. */
const openAIImagesResponse = z.object({
  data: z.nullish(z.array(z.object({ b64_json: z.nullish(z.string()), url: z.nullish(z.string()) }))),
});

const EXTENSIONS: Readonly<Record<string, string>> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };

const asFile = (image: ImageBytes, name: string): File => new File([image.bytes], `${name}.${EXTENSIONS[image.contentType] ?? 'png'}`, { type: image.contentType });

/**
 * The multipart body of POST /images/edits, encoded as the official SDK encodes it: one image as
 * `image`, several as repeated `image[]`, the mask as `mask`.
 * @see https://platform.openai.com/docs/api-reference/images/createEdit
 */
const editForm = (input: ImageUpstreamInput, size: string | undefined): FormData => {
  const form = new FormData();
  form.append('model', input.candidate.upstreamModel);
  form.append('prompt', input.request.prompt);
  form.append('n', '1');
  if (size !== undefined) form.append('size', size);
  const field = input.uploads.length === 1 ? 'image' : 'image[]';
  input.uploads.forEach((image, index) => form.append(field, asFile(image, `image-${index}`)));
  if (input.mask !== null) form.append('mask', asFile(input.mask, 'mask'));
  return form;
};

/**
 * OpenAI images API: POST {baseUrl}/images/generations, or /images/edits (multipart) when the task
 * has uploaded images. response_format is not sent because gpt-image models refuse it (they always
 * answer b64_json); a url answer (dall-e) is downloaded.
 */
export const generateWithOpenAIImages = async (env: Env, input: ImageUpstreamInput): Promise<ImageBytes> => {
  const { request, candidate } = input;
  const dimensions = pixelSize(request.size, request.resolution);
  const size = dimensions === undefined ? undefined : `${dimensions.width}x${dimensions.height}`;
  const edit = input.uploads.length > 0;
  const body = edit ? editForm(input, size) : { model: candidate.upstreamModel, prompt: request.prompt, n: 1, ...(size === undefined ? {} : { size }) };
  const path = edit ? '/images/edits' : '/images/generations';
  const json = await postUpstreamJson(env, candidate.provider, path, body, (key) => ({ authorization: `Bearer ${key}` }), input.signal);
  const parsed = openAIImagesResponse.safeParse(json);
  const first = parsed.success ? parsed.data.data?.[0] : undefined;
  if (first?.b64_json) return checkedImage(base64ToBytes(first.b64_json));
  if (first?.url) return downloadImage(first.url, { guarded: false, allowPrivate: true, signal: input.signal });
  throw new ImageFailure('invalid_output', `${candidate.provider.id} answered without an image (no data[0].b64_json or url)`, true);
};

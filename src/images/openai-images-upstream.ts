import * as z from 'zod/mini';
import type { Env } from '../env';
import { base64ToBytes, checkedImage, downloadImage, type ImageBytes } from './image-bytes';
import { ImageFailure } from './image-failure';
import { pixelSize } from './pixel-size';
import type { ImageUpstreamInput } from './image-upstream';
import { postUpstreamJson } from './upstream-call';

/** @see https://platform.openai.com/docs/api-reference/images/create — lenient: only what we read. */
const openAIImagesResponse = z.object({
  data: z.nullish(z.array(z.object({ b64_json: z.nullish(z.string()), url: z.nullish(z.string()) }))),
});

/**
 * OpenAI images API: POST {baseUrl}/images/generations. response_format is not sent because
 * gpt-image models refuse it (they always answer b64_json); a url answer (dall-e) is downloaded.
 */
export const generateWithOpenAIImages = async (env: Env, input: ImageUpstreamInput): Promise<ImageBytes> => {
  const { request, candidate } = input;
  const dimensions = pixelSize(request.size, request.resolution);
  const body = {
    model: candidate.upstreamModel,
    prompt: request.prompt,
    n: 1,
    ...(dimensions === undefined ? {} : { size: `${dimensions.width}x${dimensions.height}` }),
  };
  const json = await postUpstreamJson(env, candidate.provider, '/images/generations', body, (key) => ({ authorization: `Bearer ${key}` }), input.signal);
  const parsed = openAIImagesResponse.safeParse(json);
  const first = parsed.success ? parsed.data.data?.[0] : undefined;
  if (first?.b64_json) return checkedImage(base64ToBytes(first.b64_json));
  if (first?.url) return downloadImage(first.url, { guarded: false, allowPrivate: true, signal: input.signal });
  throw new ImageFailure('invalid_output', `${candidate.provider.id} answered without an image (no data[0].b64_json or url)`, true);
};

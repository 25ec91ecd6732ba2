import * as z from 'zod/mini';
import '../../zod-locale';
import { invalidRequest } from '../../errors';
import { assertPublicUrl } from '../../net/url-safety';
import type { ImageBytes } from '../image-bytes';
import { ASPECT_RATIOS, RATIOS_WITH_4K, RESOLUTIONS, type AspectRatio, type ImageRequest, type Resolution } from '../tasks/task';

export const MAX_IMAGE_URLS = 16;
const MAX_PROMPT_CHARS = 32_000;
const IMAGE_DATA_URI = /^data:image\/(png|jpeg|jpg|webp|gif|heic|heif);base64,([A-Za-z0-9+/]+={0,2})$/;

/** OpenAI SDK pixel sizes, read as the ratio they describe, so `images.generate({ size })` works. */
const OPENAI_PIXEL_SIZES: Record<string, AspectRatio> = {
  '256x256': '1:1',
  '512x512': '1:1',
  '1024x1024': '1:1',
  '1536x1024': '3:2',
  '1024x1536': '2:3',
  '1792x1024': '16:9',
  '1024x1792': '9:16',
};

const prompt = z
  .string({ error: 'Required: a text prompt' })
  .check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(MAX_PROMPT_CHARS));
const model = z.string({ error: 'Required' }).check(z.minLength(1, 'must not be empty'));
const n = z._default(z.literal(1, { error: 'only 1 image per task is supported' }), 1);
const imageUrls = z._default(
  z.array(z.string(), { error: 'must be an array of URL strings' }).check(z.maxLength(MAX_IMAGE_URLS, `at most ${MAX_IMAGE_URLS} images`)),
  [],
);
const webhookUrl = z.optional(z.string().check(z.maxLength(2048)));
const resolution = z._default(
  z.pipe(
    z.pipe(z.string(), z.transform((value: string) => value.toLowerCase())),
    z.enum(RESOLUTIONS, { error: `must be one of ${RESOLUTIONS.join(', ')}` }),
  ),
  '1k',
);
const ratio = z.enum(ASPECT_RATIOS, { error: `must be one of ${ASPECT_RATIOS.join(', ')}` });

const generationsSchema = z.strictObject({
  model,
  prompt,
  size: z._default(z.pipe(z.pipe(z.string(), z.transform((value: string) => OPENAI_PIXEL_SIZES[value] ?? value)), ratio), '1:1'),
  resolution,
  n,
  image_urls: imageUrls,
  webhook_url: webhookUrl,
  response_format: z._default(z.enum(['url', 'b64_json']), 'url'),
  user: z.optional(z.string()),
});

const tasksSchema = z.strictObject({
  model,
  prompt,
  aspect_ratio: z._default(ratio, '1:1'),
  image_size: resolution,
  n,
  image_urls: imageUrls,
  webhook_url: webhookUrl,
});

export type RequestForm = 'generations' | 'tasks';

export interface ValidatedImageRequest {
  model: string;
  request: ImageRequest;
  /** How a synchronous (Prefer: wait) answer carries the image. */
  responseFormat: 'url' | 'b64_json';
  /** An edit's uploaded bytes, in the order of `request.uploads`; stored under the task id at submit. */
  files?: ImageBytes[];
}

const issueMessage = (error: z.core.$ZodError): { message: string; param: string } => {
  const issue = error.issues[0];
  const path = issue?.path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.').replace(/\.\[/g, '[') ?? '';
  if (issue?.code === 'unrecognized_keys') return { message: `unknown parameter(s): ${issue.keys.join(', ')}`, param: issue.keys[0] ?? '' };
  return { message: `${path || 'body'}: ${issue?.message ?? 'invalid'}`, param: path };
};

const checkImageUrl = (url: string, index: number, allowPrivate: boolean): void => {
  const param = `image_urls[${index}]`;
  if (url.startsWith('data:')) {
    if (!IMAGE_DATA_URI.test(url)) throw invalidRequest(`${param}: not a base64 image data URI (data:image/png;base64,...)`, param);
    return;
  }
  assertPublicUrl(url, { allowData: false, allowPrivate, param });
};

const checkResolution = (size: AspectRatio, value: Resolution, param: string): void => {
  if (value === '4k' && !RATIOS_WITH_4K.includes(size)) {
    throw invalidRequest(`${param}: 4k is only available for ${RATIOS_WITH_4K.join(', ')} (got ${size})`, param);
  }
};

/** The body as `schema` reads it, or a 400 naming the first parameter it refuses. */
const parsedOr400 = <T extends z.ZodMiniType>(schema: T, body: Record<string, unknown>): z.infer<T> => {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const { message, param } = issueMessage(parsed.error);
  throw invalidRequest(message, param);
};

/** Parses either request form into one ImageRequest; every refusal is a 400 naming the parameter. */
export const validateImageRequest = (body: Record<string, unknown>, form: RequestForm, allowPrivate: boolean): ValidatedImageRequest => {
  let validated: ValidatedImageRequest;
  let resolutionParam: string;
  if (form === 'generations') {
    const input = parsedOr400(generationsSchema, body);
    resolutionParam = 'resolution';
    validated = {
      model: input.model,
      request: { prompt: input.prompt, size: input.size, resolution: input.resolution, n: 1, imageUrls: input.image_urls, webhookUrl: input.webhook_url ?? null },
      responseFormat: input.response_format,
    };
  } else {
    const input = parsedOr400(tasksSchema, body);
    resolutionParam = 'image_size';
    validated = {
      model: input.model,
      request: { prompt: input.prompt, size: input.aspect_ratio, resolution: input.image_size, n: 1, imageUrls: input.image_urls, webhookUrl: input.webhook_url ?? null },
      responseFormat: 'url',
    };
  }
  const { request } = validated;
  checkResolution(request.size, request.resolution, resolutionParam);
  request.imageUrls.forEach((url, index) => checkImageUrl(url, index, allowPrivate));
  if (request.webhookUrl !== null) assertPublicUrl(request.webhookUrl, { allowData: false, allowPrivate, param: 'webhook_url' });
  return validated;
};

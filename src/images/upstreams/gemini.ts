import * as z from 'zod/mini';
import type { Env } from '../../env';
import { base64ToBytes, bytesToBase64, checkedImage, downloadImage, MAX_INPUT_IMAGES_BYTES, type ImageBytes } from '../image-bytes';
import { ImageFailure } from './image-failure';
import type { ImageUpstreamInput } from './generate-image';
import { postUpstreamJson } from './post-upstream';

const inlineData = z.object({ mimeType: z.nullish(z.string()), data: z.string() });
const part = z.object({ inlineData: z.nullish(inlineData), inline_data: z.nullish(inlineData), text: z.nullish(z.string()) });
/** @see https://ai.google.dev/gemini-api/docs/image-generation — REST is camelCase; snake_case tolerated. */
const geminiImageResponse = z.object({
  candidates: z.nullish(
    z.array(
      z.object({
        finishReason: z.nullish(z.string()),
        content: z.nullish(z.object({ parts: z.nullish(z.array(part)) })),
      }),
    ),
  ),
  promptFeedback: z.nullish(z.object({ blockReason: z.nullish(z.string()) })),
});

const DATA_URI = /^data:([^;,]+);base64,(.*)$/s;

type InlinePart = { inlineData: { mimeType: string; data: string } };

/**
 * Input images as inlineData parts, downloaded one at a time against one byte budget for the whole
 * request, so 16 URLs cannot make the isolate hold 16 × 20 MiB at once.
 */
const inputParts = async (urls: readonly string[], input: ImageUpstreamInput): Promise<InlinePart[]> => {
  const parts: InlinePart[] = [];
  let budget = MAX_INPUT_IMAGES_BYTES;
  for (const url of urls) {
    const match = DATA_URI.exec(url);
    if (match?.[1] !== undefined && match[2] !== undefined) {
      parts.push({ inlineData: { mimeType: match[1], data: match[2] } });
      continue;
    }
    if (budget <= 0) throw new ImageFailure('invalid_input', `input images exceed ${MAX_INPUT_IMAGES_BYTES} bytes together`, false);
    const image = await downloadImage(url, { guarded: true, allowPrivate: input.allowPrivateUrls, signal: input.signal, maxBytes: budget });
    budget -= image.bytes.length;
    parts.push({ inlineData: { mimeType: image.contentType, data: bytesToBase64(image.bytes) } });
  }
  return parts;
};

/** Gemini generateContent with image output; input images travel as inlineData parts. */
export const generateWithGemini = async (env: Env, input: ImageUpstreamInput): Promise<ImageBytes> => {
  const { request, candidate } = input;
  // An edit's uploads travel like any input image (a mask never reaches Gemini: resolveImageModel keeps it off).
  const uploads = input.uploads.map((image): InlinePart => ({ inlineData: { mimeType: image.contentType, data: bytesToBase64(image.bytes) } }));
  const images = [...(await inputParts(request.imageUrls, input)), ...uploads];
  const imageConfig: Record<string, string> = {};
  if (request.size !== 'auto') imageConfig.aspectRatio = request.size;
  // 1K is Gemini's default and older image models reject imageSize, so it is only sent when asked for more.
  if (request.resolution !== '1k') imageConfig.imageSize = request.resolution.toUpperCase();
  const body = {
    contents: [{ role: 'user', parts: [{ text: request.prompt }, ...images] }],
    generationConfig: { responseModalities: ['IMAGE'], ...(Object.keys(imageConfig).length > 0 ? { imageConfig } : {}) },
  };
  const path = `/v1beta/models/${encodeURIComponent(candidate.upstreamModel)}:generateContent`;
  const json = await postUpstreamJson(env, candidate.provider, path, body, (key) => ({ 'x-goog-api-key': key }), input.signal);
  const parsed = geminiImageResponse.safeParse(json);
  if (!parsed.success) throw new ImageFailure('invalid_output', `${candidate.provider.id} answered with an unexpected generateContent body`, true);
  const blocked = parsed.data.promptFeedback?.blockReason;
  if (blocked) throw new ImageFailure('content_blocked', `the prompt was blocked by the upstream (${blocked})`, false);
  const parts = parsed.data.candidates?.[0]?.content?.parts ?? [];
  for (const part of parts) {
    const data = part.inlineData ?? part.inline_data;
    if (data) return checkedImage(base64ToBytes(data.data));
  }
  const reason = parsed.data.candidates?.[0]?.finishReason;
  const text = parts.map((part) => part.text ?? '').join(' ').trim();
  throw new ImageFailure('invalid_output', `${candidate.provider.id} answered without an image${reason ? ` (finishReason ${reason})` : ''}${text ? `: ${text.slice(0, 200)}` : ''}`, reason !== 'SAFETY' && reason !== 'PROHIBITED_CONTENT');
};

import type { Env } from '../env';
import type { ProviderProtocol } from '../routing/provider';
import { generateWithGemini } from './gemini-image-upstream';
import type { ImageBytes } from './image-bytes';
import { ImageFailure } from './image-failure';
import { generateMockImage } from './mock-image';
import { generateWithOpenAIImages } from './openai-images-upstream';
import type { ImageCandidate } from './resolve-image-model';
import type { ImageRequest } from './task';

export interface ImageUpstreamInput {
  candidate: ImageCandidate;
  request: ImageRequest;
  /** An edit's uploaded images (empty for a generation) and its mask, read back from the input store. */
  uploads: ImageBytes[];
  mask: ImageBytes | null;
  allowPrivateUrls: boolean;
  signal: AbortSignal;
}

type ImageUpstream = (env: Env, input: ImageUpstreamInput) => Promise<ImageBytes>;

/** A provider's protocol picks its image client; chat-only protocols have none. */
const IMAGE_UPSTREAMS: Partial<Record<ProviderProtocol, ImageUpstream>> = {
  'openai-images': generateWithOpenAIImages,
  gemini: generateWithGemini,
  mock: async (_env, input) => generateMockImage(input.request, input.uploads, input.mask),
};

export const generateImage = (env: Env, input: ImageUpstreamInput): Promise<ImageBytes> => {
  const upstream = IMAGE_UPSTREAMS[input.candidate.provider.protocol];
  if (upstream === undefined) throw new ImageFailure('misconfigured', `provider ${input.candidate.provider.id} cannot generate images`, false);
  return upstream(env, input);
};

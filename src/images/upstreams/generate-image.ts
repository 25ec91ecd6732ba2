import type { Env } from '../../env';
import { imageCapabilitiesOf, type ImageApi } from '../../routing/image-capabilities';
import { generateWithGemini } from './gemini';
import type { ImageBytes } from '../image-bytes';
import { ImageFailure } from './image-failure';
import { generateMockImage } from './mock';
import { generateWithOpenAIImages } from './openai-images';
import type { ImageCandidate } from './resolve-image-model';
import type { ImageRequest } from '../tasks/task';

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

/** One client per image API; a provider's protocol names its API (routing/image-capabilities.ts). */
const IMAGE_UPSTREAMS: Readonly<Record<ImageApi, ImageUpstream>> = {
  'images-endpoints': generateWithOpenAIImages,
  'generate-content': generateWithGemini,
  mock: async (_env, input) => generateMockImage(input.request, input.uploads, input.mask),
};

export const generateImage = (env: Env, input: ImageUpstreamInput): Promise<ImageBytes> => {
  const api = imageCapabilitiesOf(input.candidate.provider.protocol)?.api;
  if (api === undefined) throw new ImageFailure('misconfigured', `provider ${input.candidate.provider.id} cannot generate images`, false);
  return IMAGE_UPSTREAMS[api](env, input);
};

import type { ProviderConfig, ProviderProtocol } from '../routing/provider';
import type { RouteTable } from '../routing/route-table';
import type { ImageRequest } from './task';

/** Provider protocols that can produce images; chat-only formats never serve an image task. */
const IMAGE_PROTOCOLS: readonly ProviderProtocol[] = ['openai-images', 'gemini', 'mock'];
/** Protocols whose request can carry input images (image-to-image). */
const IMAGE_INPUT_PROTOCOLS: readonly ProviderProtocol[] = ['gemini', 'mock'];
/** Protocols that can edit uploaded files (OpenAI through its multipart edits endpoint). */
const UPLOAD_PROTOCOLS: readonly ProviderProtocol[] = ['openai-images', 'gemini', 'mock'];
/** Protocols with a mask parameter; Gemini has none, and a mask is not sent where it would mean nothing. */
const MASK_PROTOCOLS: readonly ProviderProtocol[] = ['openai-images', 'mock'];

export interface ImageNeeds {
  needsImageInput: boolean;
  needsUploads?: boolean;
  needsMask?: boolean;
}

/** What a request asks of its provider. */
export const imageNeedsOf = (request: ImageRequest): Required<ImageNeeds> => ({
  needsImageInput: request.imageUrls.length > 0,
  needsUploads: (request.uploads?.length ?? 0) > 0,
  needsMask: request.uploads?.some((upload) => upload.role === 'mask') ?? false,
});

const serves = (protocol: ProviderProtocol, options: ImageNeeds): boolean =>
  IMAGE_PROTOCOLS.includes(protocol) &&
  (!options.needsImageInput || IMAGE_INPUT_PROTOCOLS.includes(protocol)) &&
  (options.needsUploads !== true || UPLOAD_PROTOCOLS.includes(protocol)) &&
  (options.needsMask !== true || MASK_PROTOCOLS.includes(protocol));

export interface ImageCandidate {
  provider: ProviderConfig;
  upstreamModel: string;
}

const matches = (pattern: string, model: string): boolean => (pattern.endsWith('*') ? model.startsWith(pattern.slice(0, -1)) : pattern === model);

/**
 * Image candidates for a public model: exact routes before wildcard routes, then by provider
 * priority. Retries walk this list, so a failing provider hands over to the next one.
 */
export const resolveImageModel = (table: RouteTable, model: string, options: ImageNeeds): ImageCandidate[] => {
  const usable = table.routes.filter((route) => serves(route.provider.protocol, options));
  const exact = usable.filter((route) => route.publicModel === model);
  const chosen = exact.length > 0 ? exact : usable.filter((route) => route.publicModel !== model && matches(route.publicModel, model));
  return [...chosen]
    .sort((a, b) => a.provider.priority - b.provider.priority)
    .map((route) => ({
      provider: route.provider,
      upstreamModel: route.publicModel.endsWith('*') && route.upstreamModel === route.publicModel ? model : route.upstreamModel,
    }));
};

/** Whether any image route serves the model at all (to tell 404 from "needs a model that takes input images"). */
export const servesImageModel = (table: RouteTable, model: string): boolean => resolveImageModel(table, model, { needsImageInput: false }).length > 0;

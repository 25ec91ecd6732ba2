import type { ProviderConfig, ProviderProtocol } from '../routing/provider';
import type { RouteTable } from '../routing/route-table';

/** Provider protocols that can produce images; chat-only formats never serve an image task. */
const IMAGE_PROTOCOLS: readonly ProviderProtocol[] = ['openai-images', 'gemini', 'mock'];
/** Protocols whose request can carry input images (image-to-image). */
const IMAGE_INPUT_PROTOCOLS: readonly ProviderProtocol[] = ['gemini', 'mock'];

export interface ImageCandidate {
  provider: ProviderConfig;
  upstreamModel: string;
}

const matches = (pattern: string, model: string): boolean => (pattern.endsWith('*') ? model.startsWith(pattern.slice(0, -1)) : pattern === model);

/**
 * Image candidates for a public model: exact routes before wildcard routes, then by provider
 * priority. Retries walk this list, so a failing provider hands over to the next one.
 */
export const resolveImageModel = (table: RouteTable, model: string, options: { needsImageInput: boolean }): ImageCandidate[] => {
  const usable = table.routes.filter(
    (route) => IMAGE_PROTOCOLS.includes(route.provider.protocol) && (!options.needsImageInput || IMAGE_INPUT_PROTOCOLS.includes(route.provider.protocol)),
  );
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

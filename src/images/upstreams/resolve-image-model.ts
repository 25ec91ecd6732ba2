import { imageCapabilitiesOf } from '../../routing/image-capabilities';
import type { ProviderConfig, ProviderProtocol } from '../../routing/provider';
import type { RouteTable } from '../../routing/route-table';
import type { ImageRequest } from '../tasks/task';

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

/** Whether a provider protocol can serve a request with these needs (routing/image-capabilities.ts says what each can do). */
const serves = (protocol: ProviderProtocol, options: ImageNeeds): boolean => {
  const can = imageCapabilitiesOf(protocol);
  return (
    can !== null &&
    (!options.needsImageInput || can.inputImages) &&
    (options.needsUploads !== true || can.uploads) &&
    (options.needsMask !== true || can.mask)
  );
};

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


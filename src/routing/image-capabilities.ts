import type { ProviderProtocol } from './provider';

/** The image APIs the relay can call: the OpenAI images endpoints, generateContent with image output, the built-in mock. */
export type ImageApi = 'images-endpoints' | 'generate-content' | 'mock';

/** What a provider protocol can do for an image task. */
export interface ImageCapabilities {
  /** Which image API a task's upstream call speaks. */
  api: ImageApi;
  /** Input images by URL (image-to-image). */
  inputImages: boolean;
  /** Uploaded files to edit (OpenAI through its multipart edits endpoint). */
  uploads: boolean;
  /** A mask over the first upload; not sent where the upstream has no mask parameter. */
  mask: boolean;
}

/** Per provider protocol; null for protocols that never serve an image task (the chat formats). */
const IMAGE_CAPABILITIES: Readonly<Record<ProviderProtocol, ImageCapabilities | null>> = {
  'openai-chat': null,
  'openai-responses': null,
  anthropic: null,
  gemini: { api: 'generate-content', inputImages: true, uploads: true, mask: false },
  'openai-images': { api: 'images-endpoints', inputImages: false, uploads: true, mask: true },
  mock: { api: 'mock', inputImages: true, uploads: true, mask: true },
};

export const imageCapabilitiesOf = (protocol: ProviderProtocol): ImageCapabilities | null => IMAGE_CAPABILITIES[protocol];

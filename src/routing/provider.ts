import type { WireFormat } from '../ir/format';

/** Provider protocols: the four wire formats, the image API, and the built-in mock (speaks any format). */
export const PROVIDER_PROTOCOLS = ['openai-chat', 'openai-responses', 'anthropic', 'gemini', 'openai-images', 'mock'] as const;
export type ProviderProtocol = (typeof PROVIDER_PROTOCOLS)[number];

/** A provider as the data plane sees it; apiKeyEncrypted stays sealed until a request needs it. */
export interface ProviderConfig {
  id: string;
  protocol: ProviderProtocol;
  baseUrl: string;
  apiKeyEncrypted: string | null;
  priority: number;
  weight: number;
  headers: Record<string, string>;
  firstByteTimeoutMs: number | null;
  idleTimeoutMs: number | null;
  /** Same-provider retries before falling back; null = DEFAULT_MAX_RETRIES. */
  maxRetries: number | null;
}

export const DEFAULT_MAX_RETRIES = 2;

/** The request field that caps a model's output. */
export type OutputTokenField = 'max_tokens' | 'max_completion_tokens';

/** What one model route says about its model: limits, and how it wants its output cap spelled. */
export interface ModelProfile {
  contextWindow: number | null;
  maxOutputTokens: number | null;
  outputTokenField: OutputTokenField;
}

/** One way to serve a public model: a provider and the name the upstream knows the model by. */
export interface Candidate {
  provider: ProviderConfig;
  upstreamModel: string;
  model: ModelProfile;
  /** The wire format spoken to this upstream for a given client format. */
  formatFor(clientFormat: WireFormat): WireFormat;
}

import type { IrCacheHint } from '../../ir/content';

/**
 * A Chat part's cache breakpoint as an IR hint. Two spellings reach the relay: OpenAI's
 * `prompt_cache_breakpoint` (its TTLs are OpenAI's own, so only the breakpoint is kept) and the
 * Anthropic-style `cache_control` that OpenRouter and Anthropic-compatible clients put on content
 * parts and tools, whose `ttl` ("5m" | "1h") means the same on an Anthropic upstream.
 * @see https://openrouter.ai/docs/features/prompt-caching
 */
export interface OpenAIChatCacheFields {
  prompt_cache_breakpoint?: unknown;
  cache_control?: { ttl?: '5m' | '1h' | undefined } | null | undefined;
}

export const openAIChatCacheHint = (part: OpenAIChatCacheFields): { cache?: IrCacheHint } => {
  const control = part.cache_control;
  if (control !== null && control !== undefined) return { cache: control.ttl === undefined ? {} : { ttl: control.ttl } };
  return part.prompt_cache_breakpoint === null || part.prompt_cache_breakpoint === undefined ? {} : { cache: {} };
};

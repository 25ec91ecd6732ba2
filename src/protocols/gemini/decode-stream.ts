import { RelayError } from '../../errors';
import type { IrStreamEvent } from '../../ir/stream-event';
import type { IrUsage } from '../../ir/usage';
import type { SseEvent } from '../../streams/sse-event';
import { randomId } from '../shared/ids';
import { relayErrorFromGemini } from './errors';
import { mintGeminiResponseCallId } from './ids';
import { GeminiPartReader } from './part-reader';
import type { GeminiUsageMetadata } from './schema';
import { mapGeminiFinishReason } from './stop-reason';
import { isGeminiStreamChunk } from './stream-guards';
import { decodeGeminiUsage, decodeGeminiUsagePartial } from './usage';

/**
 * `:streamGenerateContent?alt=sse` → IR events. Every chunk is a
 * whole GenerateContentResponse holding a delta of parts and the cumulative usage so far. There is
 * no terminator: EOF after a chunk with `finishReason` (or a prompt blocked by `promptFeedback`) is
 * the normal end, EOF before one means the upstream was cut off. A data line that is not JSON is an
 * error, as it is for js-genai (it throws on it).
 */
const USAGE_FIELDS = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens'] as const;

/** Every chunk repeats the cumulative usage: a `usage` event goes out only when a figure changed. */
const sameUsage = (a: Partial<IrUsage>, b: Partial<IrUsage> | undefined): boolean => {
  for (const field of USAGE_FIELDS) if (a[field] !== b?.[field]) return false;
  return true;
};

const truncated = (): RelayError => new RelayError('api_error', 502, 'upstream stream ended before completion');

export const decodeGeminiStreamStage = (): Transformer<SseEvent, IrStreamEvent> => {
  let started = false;
  let closed = false;
  let finishReason: string | undefined;
  let blocked = false;
  let usageMetadata: GeminiUsageMetadata | undefined;
  let lastUsage: Partial<IrUsage> | undefined;
  let reader: GeminiPartReader | undefined;

  const fail = (controller: TransformStreamDefaultController<IrStreamEvent>, error: RelayError) => {
    closed = true;
    controller.enqueue({ type: 'error', error });
  };

  return {
    transform(event, controller) {
      if (closed) return;
      let chunk: unknown;
      try {
        chunk = JSON.parse(event.data);
      } catch {
        return fail(controller, new RelayError('api_error', 502, 'gemini: malformed stream chunk'));
      }
      if (!isGeminiStreamChunk(chunk)) return fail(controller, new RelayError('api_error', 502, 'gemini: unreadable stream chunk'));
      if (chunk.error !== null && chunk.error !== undefined) {
        return fail(controller, relayErrorFromGemini(chunk.error, chunk.error.code ?? 500));
      }

      const usage = decodeGeminiUsagePartial(chunk.usageMetadata);
      if (usage !== undefined && chunk.usageMetadata !== null && chunk.usageMetadata !== undefined) {
        usageMetadata = chunk.usageMetadata;
      }
      if (!started) {
        started = true;
        const id = chunk.responseId ?? randomId();
        const start: IrStreamEvent = { type: 'start', id, model: chunk.modelVersion ?? '' };
        if (usage !== undefined) start.usage = usage;
        controller.enqueue(start);
        lastUsage = usage;
        reader = new GeminiPartReader((irEvent) => controller.enqueue(irEvent), (ordinal) => mintGeminiResponseCallId(id, ordinal));
      } else if (usage !== undefined && !sameUsage(usage, lastUsage)) {
        lastUsage = usage;
        controller.enqueue({ type: 'usage', usage });
      }

      // Only usage is read after the end was signalled.
      if (finishReason !== undefined || blocked) return;
      const candidate = chunk.candidates?.[0];
      reader?.read(candidate?.content?.parts ?? []);
      if (candidate?.finishReason !== null && candidate?.finishReason !== undefined) {
        finishReason = candidate.finishReason;
        reader?.close();
      } else if ((chunk.candidates ?? []).length === 0 && chunk.promptFeedback?.blockReason) {
        blocked = true;
        reader?.close();
      }
    },
    flush(controller) {
      if (closed) return;
      if (finishReason === undefined && !blocked) return fail(controller, truncated());
      const hadToolCalls = reader?.hadToolCalls ?? false;
      const stopReason = blocked ? 'content_filter' : mapGeminiFinishReason(finishReason, hadToolCalls);
      const usage: IrUsage = decodeGeminiUsage(usageMetadata);
      controller.enqueue({ type: 'finish', stopReason, usage });
    },
  };
};

/** The stage as a TransformStream of its own (tests and simple pipes; the relay fuses stages). */
export const decodeGeminiStream = (): TransformStream<SseEvent, IrStreamEvent> => new TransformStream(decodeGeminiStreamStage());

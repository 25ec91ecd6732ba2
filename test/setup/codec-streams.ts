import type { IrStreamEvent } from '../../src/ir/stream-event';
import type { ClientContext, Codec } from '../../src/protocols/codec';
import type { SseEvent } from '../../src/streams/sse-event';

/**
 * Codecs expose their stream coders as plain synchronous Transformers, which the relay drives step
 * by step (src/streams/stage-step.ts); a test that pipes a whole stream wraps one here.
 */
export const decodeStreamOf = (codec: Codec): TransformStream<SseEvent, IrStreamEvent> => new TransformStream(codec.decodeStreamStage());

export const encodeStreamOf = (codec: Codec, context: ClientContext): TransformStream<IrStreamEvent, SseEvent> => new TransformStream(codec.encodeStreamStage(context));

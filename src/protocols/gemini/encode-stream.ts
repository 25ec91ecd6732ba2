import type { IrSignature } from '../../ir/content';
import type { IrStreamEvent } from '../../ir/stream-event';
import { type IrUsage, emptyUsage } from '../../ir/usage';
import type { SseEvent } from '../../streams/sse-event';
import { jsonEvent } from '../../streams/sse-encode';
import type { ClientContext } from '../codec';
import { wrapSignature } from '../signature';
import { type JsonFrame2, jsonFrame2 } from '../shared/json-template';
import { parseToolArguments } from '../shared/tool-arguments';
import type { GeminiClientChunk, GeminiClientPart } from './encode-response';
import { geminiErrorBody } from './errors';
import { type GeminiFinishReason, geminiFinishReasonFor } from './stop-reason';
import { encodeGeminiUsage, mergeGeminiUsage } from './usage';

/**
 * IR events → `streamGenerateContent?alt=sse` for a Gemini client:
 * `data:` lines only (js-genai skips anything else), each a whole GenerateContentResponse with the
 * cumulative usage, modelVersion and responseId. Text and thought deltas go out as they come; a
 * tool call is held until its block stops and sent as one functionCall part with parsed args;
 * `finishReason` rides on the last chunk, then the stream ends (Gemini has no terminator). Gemini
 * signatures go back on their part (see encode-response.ts); an error becomes `{"error":{…}}`.
 */
type OpenBlock =
  | { kind: 'text' | 'thinking' | 'redacted' }
  | { kind: 'tool'; id: string; name: string; args: string; signature?: string };

export const encodeGeminiStreamStage = (context: ClientContext): Transformer<IrStreamEvent, SseEvent> => {
  let responseId = context.requestId;
  let usage: IrUsage = emptyUsage();
  const blocks = new Map<number, OpenBlock>();
  /** A Gemini `fc` signature waiting for the functionCall part it belongs on. */
  let forCall: string | undefined;
  let ended = false;

  const chunk = (parts: GeminiClientPart[], finishReason?: GeminiFinishReason): SseEvent => {
    const candidate: GeminiClientChunk['candidates'][number] = { content: { role: 'model', parts }, index: 0 };
    if (finishReason !== undefined) candidate.finishReason = finishReason;
    const body: GeminiClientChunk = {
      candidates: [candidate],
      usageMetadata: encodeGeminiUsage(usage),
      modelVersion: context.request.model,
      responseId,
    };
    return jsonEvent(body);
  };

  /** `chunk(parts)` cut around its parts and usage, and the usage's JSON: rebuilt only when they change. */
  let frame: { responseId: string; json: JsonFrame2 } | undefined;
  let usageJson: string | undefined;
  /** The same bytes as `chunk(parts)` for parts given as JSON text, without serializing the envelope per event. */
  const partsChunk = (partsJson: string): SseEvent => {
    if (frame?.responseId !== responseId) {
      frame = {
        responseId,
        json: jsonFrame2((parts, usageMetadata) => ({
          candidates: [{ content: { role: 'model', parts }, index: 0 }],
          usageMetadata,
          modelVersion: context.request.model,
          responseId,
        })),
      };
    }
    usageJson ??= JSON.stringify(encodeGeminiUsage(usage));
    const { head, middle, tail } = frame.json;
    return { data: `${head}${partsJson}${middle}${usageJson}${tail}` };
  };
  const setUsage = (next: IrUsage) => {
    usage = next;
    usageJson = undefined;
  };

  const signatureParts = (signature: IrSignature): GeminiClientPart[] => {
    if (signature.origin !== 'gemini') return [{ text: '', thought: true, thoughtSignature: wrapSignature(signature, 'gemini') }];
    if (signature.placement === 'tx') return [{ text: '', thoughtSignature: signature.value }];
    const previous = forCall;
    forCall = signature.value;
    return previous === undefined ? [] : [{ text: '', thoughtSignature: previous }];
  };

  return {
    transform(event, controller) {
      if (ended) return;
      switch (event.type) {
        case 'start':
          responseId = event.id;
          setUsage(mergeGeminiUsage(usage, event.usage));
          return;
        case 'usage':
          setUsage(mergeGeminiUsage(usage, event.usage));
          return;
        case 'block_start': {
          const block = event.block;
          blocks.set(
            event.index,
            block.type === 'tool_call'
              ? { kind: 'tool', id: block.id, name: block.name, args: '' }
              : { kind: block.type === 'redacted_thinking' ? 'redacted' : block.type },
          );
          return;
        }
        case 'block_delta': {
          const block = blocks.get(event.index);
          const delta = event.delta;
          if (block === undefined) return;
          if (delta.type === 'text' && delta.text !== '') controller.enqueue(partsChunk(`[{"text":${JSON.stringify(delta.text)}}]`));
          else if (delta.type === 'thinking' && delta.text !== '') {
            controller.enqueue(partsChunk(`[{"text":${JSON.stringify(delta.text)},"thought":true}]`));
          }
          else if (delta.type === 'arguments' && block.kind === 'tool') block.args += delta.json;
          else if (delta.type === 'signature' && block.kind === 'tool' && delta.signature.origin === 'gemini') {
            block.signature = delta.signature.value;
          } else if (delta.type === 'signature' && block.kind === 'thinking') {
            const parts = signatureParts(delta.signature);
            if (parts.length > 0) controller.enqueue(chunk(parts));
          }
          return;
        }
        case 'block_stop': {
          const block = blocks.get(event.index);
          blocks.delete(event.index);
          if (block?.kind !== 'tool') return;
          const signature = block.signature ?? forCall;
          const parts: GeminiClientPart[] = [];
          if (block.signature !== undefined && forCall !== undefined && forCall !== block.signature) {
            parts.push({ text: '', thoughtSignature: forCall });
          }
          forCall = undefined;
          const functionCall = { id: block.id, name: block.name, args: parseToolArguments(block.args) };
          parts.push(signature === undefined ? { functionCall } : { functionCall, thoughtSignature: signature });
          controller.enqueue(chunk(parts));
          return;
        }
        case 'finish': {
          setUsage(event.usage);
          const last: GeminiClientPart = forCall === undefined ? { text: '' } : { text: '', thoughtSignature: forCall };
          forCall = undefined;
          ended = true;
          controller.enqueue(chunk([last], geminiFinishReasonFor(event.stopReason)));
          return;
        }
        case 'error':
          ended = true;
          controller.enqueue(jsonEvent(geminiErrorBody(event.error)));
          return;
        case 'ping':
          // A keepalive would be an SSE comment, which SseEvent cannot express; js-genai needs none.
          return;
      }
    },
  };
};

/** The stage as a TransformStream of its own (tests and simple pipes; the relay fuses stages). */
export const encodeGeminiStream = (context: ClientContext): TransformStream<IrStreamEvent, SseEvent> => new TransformStream(encodeGeminiStreamStage(context));

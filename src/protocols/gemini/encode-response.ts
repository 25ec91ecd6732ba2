import type { IrAssistantBlock } from '../../ir/content';
import type { IrResponse } from '../../ir/response';
import type { ClientContext } from '../codec';
import { wrapSignature } from '../signature';
import { parseToolArguments } from '../shared/tool-arguments';
import { type GeminiFinishReason, geminiFinishReasonFor } from './stop-reason';
import { type GeminiUsageMetadataOut, encodeGeminiUsage } from './usage';

/**
 * IR response → a Gemini client's GenerateContentResponse. Thinking is shown as `thought:true`
 * parts. A Gemini-minted signature goes back where Gemini put it: onto the following functionCall
 * (`fc`) or text (`tx`) part, else a trailing empty text part. A foreign signature (Anthropic,
 * Responses) rides in an envelope on the thought part itself, so the client's history hands the
 * thinking block back intact; redacted thinking has no Gemini shape and is left out.
 */
export interface GeminiClientPart {
  text?: string;
  thought?: boolean;
  functionCall?: { id: string; name: string; args: Record<string, unknown> };
  thoughtSignature?: string;
}

export interface GeminiClientChunk {
  candidates: Array<{
    content?: { role: 'model'; parts: GeminiClientPart[] };
    finishReason?: GeminiFinishReason;
    index: number;
  }>;
  usageMetadata: GeminiUsageMetadataOut;
  modelVersion: string;
  responseId: string;
}

const encodeGeminiClientParts = (blocks: readonly IrAssistantBlock[]): GeminiClientPart[] => {
  const parts: GeminiClientPart[] = [];
  let forCall: string | undefined;
  let forText: string | undefined;
  const flush = (signature: string | undefined) => {
    if (signature !== undefined) parts.push({ text: '', thoughtSignature: signature });
  };
  for (const block of blocks) {
    if (block.type === 'thinking') {
      const signature = block.signature;
      const foreign = signature !== undefined && signature.origin !== 'gemini';
      if (block.text !== '' || foreign) {
        const part: GeminiClientPart = { text: block.text, thought: true };
        if (foreign) part.thoughtSignature = wrapSignature(signature, 'gemini');
        parts.push(part);
      }
      if (signature?.origin !== 'gemini') continue;
      if (signature.placement === 'tx') {
        flush(forText);
        forText = signature.value;
      } else {
        flush(forCall);
        forCall = signature.value;
      }
    } else if (block.type === 'text') {
      if (block.text === '' && forText === undefined) continue;
      parts.push(forText === undefined ? { text: block.text } : { text: block.text, thoughtSignature: forText });
      forText = undefined;
    } else if (block.type === 'tool_call') {
      const own = block.signature?.origin === 'gemini' ? block.signature.value : undefined;
      const signature = own ?? forCall;
      if (own !== undefined && forCall !== undefined && own !== forCall) flush(forCall);
      forCall = undefined;
      const functionCall = { id: block.id, name: block.name, args: parseToolArguments(block.arguments) };
      parts.push(signature === undefined ? { functionCall } : { functionCall, thoughtSignature: signature });
    }
  }
  flush(forCall);
  flush(forText);
  return parts;
};

export const encodeGeminiResponse = (response: IrResponse, context: ClientContext): GeminiClientChunk => {
  const parts = encodeGeminiClientParts(response.content);
  return {
    candidates: [
      {
        ...(parts.length > 0 ? { content: { role: 'model' as const, parts } } : {}),
        finishReason: geminiFinishReasonFor(response.stopReason),
        index: 0,
      },
    ],
    usageMetadata: encodeGeminiUsage(response.usage),
    modelVersion: context.request.model,
    responseId: response.id,
  };
};

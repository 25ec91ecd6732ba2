import type { IrAssistantBlock } from '../../ir/content';
import type { IrResponse } from '../../ir/response';
import { RelayError } from '../../errors';
import { randomId } from '../shared/ids';
import { relayErrorFromResponsesFailure } from './errors';
import { decodeReasoningSignature } from './reasoning-signature';
import { responsesResponseSchema } from './schema';
import type { ResponsesOutputItemWire } from './schema';
import { mapResponsesStopReason } from './stop-reason';
import { flattenResponsesToolName } from './tool-names';
import { decodeResponsesUsage } from './usage';

/**
 * Upstream Response object → IR. Message parts become text blocks (a refusal part too, remembered
 * as content_filter), reasoning items thinking blocks whose signature is the `encrypted_content`,
 * function calls tool calls keyed by `call_id`. Hosted-tool items cannot occur: the relay never
 * sends hosted tools to an upstream.
 */
export interface DecodedResponsesOutput {
  content: IrAssistantBlock[];
  sawToolCall: boolean;
  sawRefusal: boolean;
}

export const reasoningText = (item: ResponsesOutputItemWire): string => {
  const summary = (item.summary ?? []).map((entry) => entry.text ?? '').filter((text) => text !== '');
  if (summary.length > 0) return summary.join('\n\n');
  return (item.content ?? []).map((entry) => entry.text ?? '').filter((text) => text !== '').join('\n\n');
};

export const decodeResponsesOutputItems = (items: readonly ResponsesOutputItemWire[]): DecodedResponsesOutput => {
  const out: DecodedResponsesOutput = { content: [], sawToolCall: false, sawRefusal: false };
  for (const item of items) {
    if (item.type === 'message') {
      for (const part of item.content ?? []) {
        if (part.type === 'refusal') out.sawRefusal = true;
        const text = part.type === 'refusal' ? part.refusal : part.text;
        if (text) out.content.push({ type: 'text', text });
      }
    } else if (item.type === 'reasoning') {
      const text = reasoningText(item);
      const signature = decodeReasoningSignature(item.encrypted_content, item.id);
      if (text !== '' || signature !== undefined) out.content.push({ type: 'thinking', text, ...(signature ? { signature } : {}) });
    } else if (item.type === 'function_call') {
      out.sawToolCall = true;
      out.content.push({
        type: 'tool_call',
        id: item.call_id ?? item.id ?? `call_${randomId()}`,
        name: flattenResponsesToolName(item.namespace, item.name ?? ''),
        arguments: item.arguments ?? '',
      });
    }
  }
  return out;
};

export const decodeResponsesResponse = (body: unknown): IrResponse => {
  const parsed = responsesResponseSchema().safeParse(body);
  if (!parsed.success) throw new RelayError('api_error', 502, 'openai: unreadable response body', { cause: parsed.error });
  const response = parsed.data;
  if (response.status === 'failed') throw relayErrorFromResponsesFailure(response.error);
  const output = decodeResponsesOutputItems(response.output ?? []);
  return {
    id: response.id ?? `resp_${randomId()}`,
    model: response.model ?? '',
    content: output.content,
    stopReason: mapResponsesStopReason({
      status: response.status,
      incompleteReason: response.incomplete_details?.reason,
      sawToolCall: output.sawToolCall,
      sawRefusal: output.sawRefusal,
    }),
    usage: decodeResponsesUsage(response.usage),
  };
};

import type { EncodedUpstreamRequest, UpstreamTarget } from '../codec';
import { isRecord } from '../shared/json-guards';
import type { JsonRecord } from '../shared/json-guards';
import { capOutputTokens } from '../shared/output-cap';
import { unwrapSignature } from '../signature';
import { geminiModelPath } from './encode-request';

/**
 * Same-format passthrough. The model lives in the path; the body goes through as sent except for
 * two things, each looked for in one pass and copied only when found:
 * - the output cap (`generationConfig.maxOutputTokens`, either spelling: proto3 JSON takes both)
 *   held to the model's ceiling;
 * - thought signatures another upstream minted. A Gemini client whose conversation passed through
 *   Claude or a Responses model holds relay envelopes (`prx1:ant:…`) on thought parts; Gemini fails
 *   to decode them and refuses the request. The translation rule applies: an envelope around a
 *   Gemini signature is opened, a thought part carrying any other is dropped, and any other part
 *   just loses the signature.
 */
const signatureOf = (part: unknown): unknown => (isRecord(part) ? (part.thoughtSignature ?? part.thought_signature) : undefined);

const isEnveloped = (part: unknown): boolean => {
  const signature = signatureOf(part);
  return typeof signature === 'string' && signature.startsWith('prx1:');
};

const hasEnvelope = (content: unknown): boolean => isRecord(content) && Array.isArray(content.parts) && content.parts.some(isEnveloped);

const ownPart = (part: JsonRecord): JsonRecord[] => {
  const { thoughtSignature: _camel, thought_signature: _snake, ...rest } = part;
  const signature = unwrapSignature(signatureOf(part) as string, 'gemini');
  if (signature?.origin === 'gemini') return [{ ...rest, thoughtSignature: signature.value }];
  return part.thought === true ? [] : [rest];
};

const withoutForeignSignatures = (contents: unknown): unknown[] | undefined => {
  if (!Array.isArray(contents) || !contents.some(hasEnvelope)) return undefined;
  return (contents as unknown[]).flatMap((content) => {
    if (!hasEnvelope(content) || !isRecord(content)) return [content];
    const parts = (content.parts as unknown[]).flatMap((part) => (isEnveloped(part) && isRecord(part) ? ownPart(part) : [part]));
    return parts.length > 0 ? [{ ...content, parts }] : [];
  });
};

/** The generation config with its output cap held to the ceiling, or undefined when it is within it. */
const cappedConfig = (config: unknown, target: UpstreamTarget): JsonRecord | undefined => {
  if (!isRecord(config)) return undefined;
  for (const field of ['maxOutputTokens', 'max_output_tokens']) {
    const value = config[field];
    if (typeof value !== 'number') continue;
    const capped = capOutputTokens(value, target);
    if (capped !== undefined && capped !== value) return { ...config, [field]: capped };
  }
  return undefined;
};

export const rewriteGeminiPassthrough = (body: JsonRecord, target: UpstreamTarget): EncodedUpstreamRequest => {
  const path = geminiModelPath(target.model, target.stream ? 'streamGenerateContent?alt=sse' : 'generateContent');
  let rewritten = body;
  for (const key of ['generationConfig', 'generation_config']) {
    const config = cappedConfig(body[key], target);
    if (config !== undefined) rewritten = { ...rewritten, [key]: config };
  }
  const contents = withoutForeignSignatures(body.contents);
  if (contents !== undefined) rewritten = { ...rewritten, contents };
  return { path, body: rewritten };
};

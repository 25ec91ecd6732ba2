import { invalidRequest, unsupportedFeature } from '../../errors';
import type { IrTextBlock } from '../../ir/content';
import type { IrRequest } from '../../ir/request';
import type { RouteInfo } from '../codec';
import { invalidRequestFromZod } from '../shared/zod-issue';
import { decodeGeminiContents } from './decode-contents';
import { decodeGeminiGenerationConfig, decodeGeminiToolChoice, decodeGeminiTools } from './decode-config';
import { normalizeGeminiKeys } from './normalize';
import { type GeminiGenerateRequest, geminiCountTokensRequest, geminiGenerateRequest } from './schema';

/**
 * Client `:generateContent` / `:streamGenerateContent` / `:countTokens` body → IR. The model and
 * the stream flag live in the URL (route), not in the body.
 * @see https://ai.google.dev/api/generate-content#request-body
 */
const routeModel = (route: RouteInfo): string | undefined =>
  typeof route.model === 'string' && route.model !== '' ? route.model.replace(/^models\//, '') : undefined;

const requireObject = (body: unknown): void => {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('request body must be a JSON object');
};

export const peekGeminiRequest = (body: unknown, route: RouteInfo): { model: string; stream: boolean } => {
  requireObject(body);
  const model = routeModel(route);
  if (model === undefined) throw invalidRequest('model: Required', 'model');
  return { model, stream: route.stream === true };
};

const decodeSystem = (system: GeminiGenerateRequest['systemInstruction']): IrTextBlock[] => {
  if (system === null || system === undefined) return [];
  if (typeof system === 'string') return system === '' ? [] : [{ type: 'text', text: system }];
  const blocks: IrTextBlock[] = [];
  system.parts.forEach((part, index) => {
    if (part.inlineData || part.fileData || part.functionCall || part.functionResponse) {
      throw unsupportedFeature(`systemInstruction.parts[${index}]: only text can be relayed in a system instruction`);
    }
    if (part.text) blocks.push({ type: 'text', text: part.text });
  });
  return blocks;
};

/** The generate request inside a `:countTokens` body, and the model it may name. */
const readCountTokens = (body: unknown): { request: GeminiGenerateRequest; model?: string } => {
  const result = geminiCountTokensRequest.safeParse(body);
  if (!result.success) throw invalidRequestFromZod(result.error);
  const { generateContentRequest, contents } = result.data;
  if (generateContentRequest) {
    const { model, ...request } = generateContentRequest;
    return typeof model === 'string' && model !== '' ? { request, model: model.replace(/^models\//, '') } : { request };
  }
  if (contents) return { request: { contents } };
  throw invalidRequest('contents: Required', 'contents');
};

export const decodeGeminiRequest = (body: unknown, route: RouteInfo): IrRequest => {
  requireObject(body);
  const normalized = normalizeGeminiKeys(body);
  let request: GeminiGenerateRequest;
  let model = routeModel(route);
  if (route.endpoint === 'count_tokens') {
    const counted = readCountTokens(normalized);
    request = counted.request;
    model ??= counted.model;
  } else {
    const result = geminiGenerateRequest.safeParse(normalized);
    if (!result.success) throw invalidRequestFromZod(result.error);
    request = result.data;
  }
  if (model === undefined) throw invalidRequest('model: Required', 'model');
  if (request.cachedContent) {
    throw unsupportedFeature('cachedContent: a Gemini context cache cannot be relayed; send the cached contents inline');
  }

  const declared = decodeGeminiTools(request.tools);
  const { tools, toolChoice } = decodeGeminiToolChoice(request.toolConfig, declared);
  const ir: IrRequest = {
    model,
    system: decodeSystem(request.systemInstruction),
    messages: decodeGeminiContents(request.contents),
    stream: route.endpoint === 'count_tokens' ? false : route.stream === true,
    ...decodeGeminiGenerationConfig(request.generationConfig),
  };
  if (tools !== undefined && tools.length > 0) ir.tools = tools;
  if (toolChoice !== undefined) ir.toolChoice = toolChoice;
  return ir;
};

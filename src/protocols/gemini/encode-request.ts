import { invalidRequest, unsupportedFeature } from '../../errors';
import type { IrRequest, IrToolChoice } from '../../ir/request';
import type { EncodedUpstreamRequest, UpstreamTarget } from '../codec';
import { withOutputCap } from '../shared/output-cap';
import { budgetForEffort } from '../shared/reasoning-budget';
import { cleanGeminiSchema } from './clean-schema';
import { type GeminiContentOut, encodeGeminiContents } from './encode-contents';

/**
 * IR request → Gemini `:generateContent` / `:streamGenerateContent?alt=sse`.
 * Tools go out as `parametersJsonSchema` (JSON Schema as the client wrote it: the `parameters`
 * Schema subset rejects keywords agents send, such as `$schema` and `exclusiveMinimum`);
 * the structured-output schema goes out as a cleaned `responseSchema`. Dropped because Gemini has
 * no counterpart: `parallelToolCalls` (cannot be forced), `user`, `metadata`, cache hints.
 */
const MAX_STOP_SEQUENCES = 5;

/**
 * `/v1beta/models/{model}:{method}`; a model already naming its collection (`tunedModels/x`) keeps it.
 * The model may come from the client (wildcard routes pass it on): each segment is percent-encoded
 * and dot or empty segments are refused, so no name can walk the relay's key to another upstream path.
 */
export const geminiModelPath = (model: string, method: string): string => {
  const segments = (model.includes('/') ? model : `models/${model}`).split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw invalidRequest(`model: "${model}" is not a valid Gemini model name`, 'model');
  }
  return `/v1beta/${segments.map(encodeURIComponent).join('/')}:${method}`;
};

interface GeminiToolsOut {
  functionDeclarations: Array<{ name: string; description?: string; parametersJsonSchema?: Record<string, unknown> }>;
}

const encodeTools = (request: IrRequest): GeminiToolsOut[] | undefined => {
  if (request.tools === undefined || request.tools.length === 0) return undefined;
  const functionDeclarations = request.tools.map((tool) => ({
    name: tool.name,
    ...(tool.description ? { description: tool.description } : {}),
    ...(Object.keys(tool.parameters).length > 0 ? { parametersJsonSchema: tool.parameters } : {}),
  }));
  return [{ functionDeclarations }];
};

const encodeToolConfig = (choice: IrToolChoice | undefined) => {
  if (choice === undefined) return undefined;
  switch (choice.type) {
    case 'auto':
      return { functionCallingConfig: { mode: 'AUTO' } };
    case 'none':
      return { functionCallingConfig: { mode: 'NONE' } };
    case 'required':
      return { functionCallingConfig: { mode: 'ANY' } };
    case 'tool':
      return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } };
  }
};

/**
 * Reasoning → thinkingConfig. A client budget goes through as is; an effort becomes a budget by the
 * relay's convention (`budgetForEffort`, src/protocols/shared/reasoning-budget.ts), except `max`,
 * which is Gemini's dynamic budget (-1).
 */
const encodeThinking = (request: IrRequest): Record<string, unknown> | undefined => {
  const reasoning = request.reasoning;
  if (reasoning === undefined) return undefined;
  if (!reasoning.enabled) return { thinkingBudget: 0 };
  const config: Record<string, unknown> = {};
  if (reasoning.budgetTokens !== undefined) config.thinkingBudget = reasoning.budgetTokens;
  else if (reasoning.effort === 'max') config.thinkingBudget = -1;
  else if (reasoning.effort !== undefined) config.thinkingBudget = budgetForEffort(reasoning.effort, request.maxOutputTokens);
  if (reasoning.visible === true && config.thinkingBudget !== 0) config.includeThoughts = true;
  return Object.keys(config).length > 0 ? config : undefined;
};

const encodeGenerationConfig = (request: IrRequest): Record<string, unknown> | undefined => {
  const config: Record<string, unknown> = {};
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.topK !== undefined) config.topK = request.topK;
  if (request.maxOutputTokens !== undefined) config.maxOutputTokens = request.maxOutputTokens;
  if (request.stopSequences !== undefined && request.stopSequences.length > 0) {
    if (request.stopSequences.length > MAX_STOP_SEQUENCES) {
      throw unsupportedFeature(`stop sequences: gemini accepts at most ${MAX_STOP_SEQUENCES}`);
    }
    config.stopSequences = request.stopSequences;
  }
  if (request.seed !== undefined) config.seed = request.seed;
  if (request.presencePenalty !== undefined) config.presencePenalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) config.frequencyPenalty = request.frequencyPenalty;
  const format = request.responseFormat;
  if (format?.type === 'json_object') config.responseMimeType = 'application/json';
  if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    config.responseSchema = cleanGeminiSchema(format.schema);
  }
  const thinking = encodeThinking(request);
  if (thinking !== undefined) config.thinkingConfig = thinking;
  return Object.keys(config).length > 0 ? config : undefined;
};

export interface GeminiRequestBody {
  contents: GeminiContentOut[];
  systemInstruction?: { parts: Array<{ text: string }> };
  tools?: GeminiToolsOut[];
  toolConfig?: ReturnType<typeof encodeToolConfig>;
  generationConfig?: Record<string, unknown>;
}

/** The system prompt and every in-conversation system message, in order: Gemini has no system role inside `contents`. */
const encodeSystem = (request: IrRequest): GeminiRequestBody['systemInstruction'] => {
  const texts = [...request.system, ...request.messages.flatMap((message) => (message.role === 'system' ? message.content : []))]
    .map((block) => block.text)
    .filter((text) => text !== '');
  return texts.length > 0 ? { parts: texts.map((text) => ({ text })) } : undefined;
};

export const buildGeminiRequestBody = (request: IrRequest, options: { forCounting: boolean }): GeminiRequestBody => {
  const contents = encodeGeminiContents(request.messages);
  if (!options.forCounting) {
    const last = contents[contents.length - 1];
    if (last === undefined) throw invalidRequest('messages: gemini needs at least one user turn');
    if (last.role === 'model') {
      throw unsupportedFeature('gemini cannot continue an assistant prefill: the conversation must end with a user turn');
    }
  }
  const body: GeminiRequestBody = { contents };
  const system = encodeSystem(request);
  if (system !== undefined) body.systemInstruction = system;
  const tools = encodeTools(request);
  if (tools !== undefined) {
    body.tools = tools;
    const toolConfig = encodeToolConfig(request.toolChoice);
    if (toolConfig !== undefined) body.toolConfig = toolConfig;
  }
  if (!options.forCounting) {
    const generationConfig = encodeGenerationConfig(request);
    if (generationConfig !== undefined) body.generationConfig = generationConfig;
  }
  return body;
};

export const encodeGeminiRequest = (request: IrRequest, target: UpstreamTarget): EncodedUpstreamRequest => ({
  path: geminiModelPath(target.model, target.stream ? 'streamGenerateContent?alt=sse' : 'generateContent'),
  body: buildGeminiRequestBody(withOutputCap(request, target), { forCounting: false }),
});

export const geminiAuthHeaders = (apiKey: string): Record<string, string> => ({ 'x-goog-api-key': apiKey });

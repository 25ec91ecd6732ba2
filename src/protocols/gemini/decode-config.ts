import { unsupportedFeature } from '../../errors';
import type { IrEffort, IrReasoning, IrRequest, IrResponseFormat, IrTool, IrToolChoice } from '../../ir/request';
import { effortForBudget } from '../shared/reasoning-budget';
import { geminiSchemaToJsonSchema } from './openapi-schema';
import type { GeminiGenerationConfig, GeminiTool, GeminiToolConfig } from './schema';

/** Client `tools`, `toolConfig` and `generationConfig` → IR request fields. */
type ConfigFields = Pick<
  IrRequest,
  | 'tools'
  | 'toolChoice'
  | 'responseFormat'
  | 'reasoning'
  | 'maxOutputTokens'
  | 'temperature'
  | 'topP'
  | 'topK'
  | 'stopSequences'
  | 'seed'
  | 'presencePenalty'
  | 'frequencyPenalty'
>;

const EMPTY_PARAMETERS = { type: 'object', properties: {} };

export const decodeGeminiTools = (tools: readonly GeminiTool[] | null | undefined): IrTool[] | undefined => {
  if (tools === null || tools === undefined) return undefined;
  const out: IrTool[] = [];
  tools.forEach((tool, index) => {
    for (const [key, value] of Object.entries(tool)) {
      // googleSearch, codeExecution, urlContext, fileSearch, …: run by Google, not by the client.
      if (key !== 'functionDeclarations' && value !== null && value !== undefined) {
        throw unsupportedFeature(`tools[${index}].${key}: Gemini built-in tools cannot be relayed`);
      }
    }
    for (const declaration of tool.functionDeclarations ?? []) {
      const parameters =
        declaration.parametersJsonSchema ??
        (declaration.parameters ? geminiSchemaToJsonSchema(declaration.parameters) : EMPTY_PARAMETERS);
      out.push({
        name: declaration.name,
        parameters,
        ...(declaration.description ? { description: declaration.description } : {}),
      });
    }
  });
  return out;
};

/**
 * `functionCallingConfig` → IR tool choice. `allowedFunctionNames` with one name is a forced tool;
 * with several, the tool list is narrowed to them (what the model may call is unchanged).
 */
export const decodeGeminiToolChoice = (
  config: GeminiToolConfig | null | undefined,
  tools: IrTool[] | undefined,
): { toolChoice?: IrToolChoice; tools?: IrTool[] } => {
  const calling = config?.functionCallingConfig;
  const mode = calling?.mode ?? undefined;
  if (mode === undefined || mode === 'MODE_UNSPECIFIED') return { tools };
  if (mode === 'NONE') return { toolChoice: { type: 'none' }, tools };
  const allowed = calling?.allowedFunctionNames ?? [];
  const narrowed = allowed.length > 0 && tools !== undefined ? tools.filter((tool) => allowed.includes(tool.name)) : tools;
  if (mode === 'ANY') {
    const only = allowed.length === 1 ? allowed[0] : undefined;
    return { toolChoice: only !== undefined ? { type: 'tool', name: only } : { type: 'required' }, tools: narrowed };
  }
  // AUTO, and VALIDATED (auto with schema-checked calls: the check has no IR counterpart).
  return { toolChoice: { type: 'auto' }, tools: narrowed };
};

const LEVEL_EFFORT: Record<string, IrEffort> = { MINIMAL: 'minimal', LOW: 'low', MEDIUM: 'medium', HIGH: 'high', XHIGH: 'xhigh' };

const decodeReasoning = (thinking: GeminiGenerationConfig['thinkingConfig']): IrReasoning | undefined => {
  if (thinking === null || thinking === undefined) return undefined;
  const budget = thinking.thinkingBudget ?? undefined;
  const level = thinking.thinkingLevel ? LEVEL_EFFORT[thinking.thinkingLevel] : undefined;
  const reasoning: IrReasoning = { enabled: budget !== 0 };
  if (level !== undefined) reasoning.effort = level;
  else if (budget !== undefined) reasoning.effort = effortForBudget(budget);
  // -1 is "dynamic": no number to hand to other formats.
  if (budget !== undefined && budget > 0) reasoning.budgetTokens = budget;
  if (thinking.includeThoughts === true) reasoning.visible = true;
  return reasoning;
};

const decodeResponseFormat = (config: GeminiGenerationConfig): IrResponseFormat | undefined => {
  const mime = config.responseMimeType ?? undefined;
  if (mime === undefined || mime === 'text/plain') return undefined;
  if (mime !== 'application/json') throw unsupportedFeature(`generationConfig.responseMimeType: "${mime}" cannot be relayed`);
  if (config.responseJsonSchema) return { type: 'json_schema', schema: config.responseJsonSchema };
  if (config.responseSchema) return { type: 'json_schema', schema: geminiSchemaToJsonSchema(config.responseSchema) };
  return { type: 'json_object' };
};

/** Fields that change what the answer is and have no IR counterpart. */
const checkGenerationConfig = (config: GeminiGenerationConfig): void => {
  if ((config.candidateCount ?? 1) > 1) throw unsupportedFeature('generationConfig.candidateCount: only one candidate can be relayed');
  if (config.responseLogprobs === true || (config.logprobs ?? 0) > 0) {
    throw unsupportedFeature('generationConfig.responseLogprobs: log probabilities cannot be relayed');
  }
  const modalities = (config.responseModalities ?? []).filter((modality) => modality !== 'TEXT');
  if (modalities.length > 0) throw unsupportedFeature(`generationConfig.responseModalities: ${modalities.join(', ')} output cannot be relayed`);
  for (const key of ['speechConfig', 'imageConfig'] as const) {
    if (config[key] !== undefined && config[key] !== null) throw unsupportedFeature(`generationConfig.${key}: cannot be relayed`);
  }
};

export const decodeGeminiGenerationConfig = (config: GeminiGenerationConfig | null | undefined): Partial<ConfigFields> => {
  if (config === null || config === undefined) return {};
  checkGenerationConfig(config);
  const out: Partial<ConfigFields> = {};
  if (typeof config.temperature === 'number') out.temperature = config.temperature;
  if (typeof config.topP === 'number') out.topP = config.topP;
  if (typeof config.topK === 'number') out.topK = config.topK;
  if (typeof config.maxOutputTokens === 'number') out.maxOutputTokens = config.maxOutputTokens;
  if (config.stopSequences && config.stopSequences.length > 0) out.stopSequences = config.stopSequences;
  if (typeof config.seed === 'number') out.seed = config.seed;
  if (typeof config.presencePenalty === 'number') out.presencePenalty = config.presencePenalty;
  if (typeof config.frequencyPenalty === 'number') out.frequencyPenalty = config.frequencyPenalty;
  const responseFormat = decodeResponseFormat(config);
  if (responseFormat !== undefined) out.responseFormat = responseFormat;
  const reasoning = decodeReasoning(config.thinkingConfig);
  if (reasoning !== undefined) out.reasoning = reasoning;
  return out;
};

import * as z from 'zod/mini';
import { lenientEnum } from '../shared/lenient-enum';

/**
 * Gemini generateContent wire shapes. Ingress (client requests) is read after
 * normalizeGeminiKeys() turned snake_case field names into camelCase; required fields are strict,
 * unknown fields pass. Egress (upstream responses and stream chunks) is minimal and nullish.
 * @see https://ai.google.dev/api/generate-content
 */

// ── ingress: client requests ────────────────────────────────────────────────────────────────
const jsonObject = z.record(z.string(), z.unknown());
const nonEmpty = () => z.string().check(z.minLength(1));
const int = () => z.number().check(z.int());

const inlineData = z.looseObject({ mimeType: z.string(), data: z.string() });
const fileData = z.looseObject({ mimeType: z.nullish(z.string()), fileUri: z.string() });

const functionResponsePart = z.looseObject({ inlineData: z.nullish(inlineData), fileData: z.nullish(fileData) });

const geminiRequestPart = z.looseObject({
  text: z.nullish(z.string()),
  thought: z.nullish(z.boolean()),
  thoughtSignature: z.nullish(z.string()),
  inlineData: z.nullish(inlineData),
  fileData: z.nullish(fileData),
  functionCall: z.nullish(z.looseObject({ name: nonEmpty(), args: z.nullish(jsonObject), id: z.nullish(z.string()) })),
  functionResponse: z.nullish(
    z.looseObject({
      name: nonEmpty(),
      id: z.nullish(z.string()),
      response: z.nullish(jsonObject),
      parts: z.nullish(z.array(functionResponsePart)),
    }),
  ),
});
export type GeminiRequestPart = z.infer<typeof geminiRequestPart>;

const geminiContent = z.looseObject({
  role: z.nullish(z.enum(['user', 'model', 'function'])),
  parts: z.array(geminiRequestPart),
});
export type GeminiContent = z.infer<typeof geminiContent>;

const functionDeclaration = z.looseObject({
  name: nonEmpty(),
  description: z.nullish(z.string()),
  parameters: z.nullish(jsonObject),
  parametersJsonSchema: z.nullish(jsonObject),
});

const geminiTool = z.looseObject({ functionDeclarations: z.nullish(z.array(functionDeclaration)) });
export type GeminiTool = z.infer<typeof geminiTool>;

const toolConfig = z.looseObject({
  functionCallingConfig: z.nullish(
    z.looseObject({
      mode: lenientEnum(['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED']),
      allowedFunctionNames: z.nullish(z.array(z.string())),
    }),
  ),
});
export type GeminiToolConfig = z.infer<typeof toolConfig>;

const thinkingConfig = z.looseObject({
  includeThoughts: z.nullish(z.boolean()),
  thinkingBudget: z.nullish(int()),
  thinkingLevel: lenientEnum(['THINKING_LEVEL_UNSPECIFIED', 'MINIMAL', 'LOW', 'MEDIUM', 'HIGH', 'XHIGH'], { MAX: 'XHIGH' }),
});

const generationConfig = z.looseObject({
  temperature: z.nullish(z.number()),
  topP: z.nullish(z.number()),
  topK: z.nullish(z.number()),
  candidateCount: z.nullish(int()),
  maxOutputTokens: z.nullish(int()),
  stopSequences: z.nullish(z.array(z.string())),
  presencePenalty: z.nullish(z.number()),
  frequencyPenalty: z.nullish(z.number()),
  seed: z.nullish(int()),
  responseMimeType: z.nullish(z.string()),
  responseSchema: z.nullish(jsonObject),
  responseJsonSchema: z.nullish(jsonObject),
  responseLogprobs: z.nullish(z.boolean()),
  logprobs: z.nullish(int()),
  responseModalities: z.nullish(z.array(z.string())),
  thinkingConfig: z.nullish(thinkingConfig),
});
export type GeminiGenerationConfig = z.infer<typeof generationConfig>;

const systemInstruction = z.union([z.string(), z.looseObject({ parts: z.array(geminiRequestPart) })]);

export const geminiGenerateRequest = z.looseObject({
  contents: z.array(geminiContent).check(z.minLength(1)),
  systemInstruction: z.nullish(systemInstruction),
  tools: z.nullish(z.array(geminiTool)),
  toolConfig: z.nullish(toolConfig),
  generationConfig: z.nullish(generationConfig),
  cachedContent: z.nullish(z.string()),
});
export type GeminiGenerateRequest = z.infer<typeof geminiGenerateRequest>;

/** `:countTokens` takes either bare `contents` or a whole `generateContentRequest`. */
export const geminiCountTokensRequest = z.looseObject({
  contents: z.nullish(z.array(geminiContent)),
  generateContentRequest: z.nullish(z.extend(geminiGenerateRequest, { model: z.nullish(z.string()) })),
});

// ── egress: upstream responses and stream chunks ───────────────────────────────────────────
const geminiUsageMetadata = z.looseObject({
  promptTokenCount: z.nullish(z.number()),
  cachedContentTokenCount: z.nullish(z.number()),
  candidatesTokenCount: z.nullish(z.number()),
  thoughtsTokenCount: z.nullish(z.number()),
  toolUsePromptTokenCount: z.nullish(z.number()),
  totalTokenCount: z.nullish(z.number()),
});
export type GeminiUsageMetadata = z.infer<typeof geminiUsageMetadata>;

const partialArg = z.looseObject({
  jsonPath: z.nullish(z.string()),
  stringValue: z.nullish(z.string()),
  numberValue: z.nullish(z.number()),
  boolValue: z.nullish(z.boolean()),
  nullValue: z.nullish(z.string()),
  willContinue: z.nullish(z.boolean()),
});
export type GeminiPartialArg = z.infer<typeof partialArg>;

const geminiResponsePart = z.looseObject({
  text: z.nullish(z.string()),
  thought: z.nullish(z.boolean()),
  thoughtSignature: z.nullish(z.string()),
  functionCall: z.nullish(
    z.looseObject({
      name: z.nullish(z.string()),
      id: z.nullish(z.string()),
      args: z.nullish(jsonObject),
      partialArgs: z.nullish(z.array(partialArg)),
      willContinue: z.nullish(z.boolean()),
    }),
  ),
});
export type GeminiResponsePart = z.infer<typeof geminiResponsePart>;

export const geminiErrorObject = z.looseObject({
  code: z.nullish(z.number()),
  message: z.nullish(z.string()),
  status: z.nullish(z.string()),
  details: z.nullish(z.array(z.looseObject({ '@type': z.nullish(z.string()) }))),
});
export type GeminiErrorObject = z.infer<typeof geminiErrorObject>;

export const geminiResponse = z.looseObject({
  candidates: z.nullish(
    z.array(
      z.looseObject({
        content: z.nullish(z.looseObject({ parts: z.nullish(z.array(geminiResponsePart)) })),
        finishReason: z.nullish(z.string()),
      }),
    ),
  ),
  promptFeedback: z.nullish(z.looseObject({ blockReason: z.nullish(z.string()) })),
  usageMetadata: z.nullish(geminiUsageMetadata),
  modelVersion: z.nullish(z.string()),
  responseId: z.nullish(z.string()),
  error: z.nullish(geminiErrorObject),
});
export type GeminiResponse = z.infer<typeof geminiResponse>;

export const geminiCountTokensResponse = z.looseObject({ totalTokens: z.nullish(z.number()) });

import * as z from 'zod';

/**
 * Gemini generateContent wire shapes. Ingress (client requests) is read after
 * normalizeGeminiKeys() turned snake_case field names into camelCase; required fields are strict,
 * unknown fields pass. Egress (upstream responses and stream chunks) is minimal and nullish.
 * @see https://ai.google.dev/api/generate-content
 */

// ── ingress: client requests ────────────────────────────────────────────────────────────────
const jsonObject = z.record(z.string(), z.unknown());

const inlineData = z.looseObject({ mimeType: z.string(), data: z.string() });
const fileData = z.looseObject({ mimeType: z.string().nullish(), fileUri: z.string() });

const functionResponsePart = z.looseObject({ inlineData: inlineData.nullish(), fileData: fileData.nullish() });

export const geminiRequestPart = z.looseObject({
  text: z.string().nullish(),
  thought: z.boolean().nullish(),
  thoughtSignature: z.string().nullish(),
  inlineData: inlineData.nullish(),
  fileData: fileData.nullish(),
  functionCall: z
    .looseObject({ name: z.string().min(1), args: jsonObject.nullish(), id: z.string().nullish() })
    .nullish(),
  functionResponse: z
    .looseObject({
      name: z.string().min(1),
      id: z.string().nullish(),
      response: jsonObject.nullish(),
      parts: z.array(functionResponsePart).nullish(),
    })
    .nullish(),
});
export type GeminiRequestPart = z.infer<typeof geminiRequestPart>;

export const geminiContent = z.looseObject({
  role: z.enum(['user', 'model', 'function']).nullish(),
  parts: z.array(geminiRequestPart),
});
export type GeminiContent = z.infer<typeof geminiContent>;

const functionDeclaration = z.looseObject({
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: jsonObject.nullish(),
  parametersJsonSchema: jsonObject.nullish(),
});

export const geminiTool = z.looseObject({ functionDeclarations: z.array(functionDeclaration).nullish() });
export type GeminiTool = z.infer<typeof geminiTool>;

const toolConfig = z.looseObject({
  functionCallingConfig: z
    .looseObject({
      mode: z.enum(['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED']).nullish(),
      allowedFunctionNames: z.array(z.string()).nullish(),
    })
    .nullish(),
});
export type GeminiToolConfig = z.infer<typeof toolConfig>;

const thinkingConfig = z.looseObject({
  includeThoughts: z.boolean().nullish(),
  thinkingBudget: z.number().int().nullish(),
  thinkingLevel: z.enum(['THINKING_LEVEL_UNSPECIFIED', 'MINIMAL', 'LOW', 'MEDIUM', 'HIGH', 'XHIGH']).nullish(),
});

const generationConfig = z.looseObject({
  temperature: z.number().nullish(),
  topP: z.number().nullish(),
  topK: z.number().nullish(),
  candidateCount: z.number().int().nullish(),
  maxOutputTokens: z.number().int().nullish(),
  stopSequences: z.array(z.string()).nullish(),
  presencePenalty: z.number().nullish(),
  frequencyPenalty: z.number().nullish(),
  seed: z.number().int().nullish(),
  responseMimeType: z.string().nullish(),
  responseSchema: jsonObject.nullish(),
  responseJsonSchema: jsonObject.nullish(),
  responseLogprobs: z.boolean().nullish(),
  logprobs: z.number().int().nullish(),
  responseModalities: z.array(z.string()).nullish(),
  thinkingConfig: thinkingConfig.nullish(),
});
export type GeminiGenerationConfig = z.infer<typeof generationConfig>;

const systemInstruction = z.union([z.string(), z.looseObject({ parts: z.array(geminiRequestPart) })]);

export const geminiGenerateRequest = z.looseObject({
  contents: z.array(geminiContent),
  systemInstruction: systemInstruction.nullish(),
  tools: z.array(geminiTool).nullish(),
  toolConfig: toolConfig.nullish(),
  generationConfig: generationConfig.nullish(),
  cachedContent: z.string().nullish(),
});
export type GeminiGenerateRequest = z.infer<typeof geminiGenerateRequest>;

/** `:countTokens` takes either bare `contents` or a whole `generateContentRequest`. */
export const geminiCountTokensRequest = z.looseObject({
  contents: z.array(geminiContent).nullish(),
  generateContentRequest: geminiGenerateRequest.extend({ model: z.string().nullish() }).nullish(),
});

// ── egress: upstream responses and stream chunks ───────────────────────────────────────────
export const geminiUsageMetadata = z.looseObject({
  promptTokenCount: z.number().nullish(),
  cachedContentTokenCount: z.number().nullish(),
  candidatesTokenCount: z.number().nullish(),
  thoughtsTokenCount: z.number().nullish(),
  toolUsePromptTokenCount: z.number().nullish(),
  totalTokenCount: z.number().nullish(),
});
export type GeminiUsageMetadata = z.infer<typeof geminiUsageMetadata>;

const partialArg = z.looseObject({
  jsonPath: z.string().nullish(),
  stringValue: z.string().nullish(),
  numberValue: z.number().nullish(),
  boolValue: z.boolean().nullish(),
  nullValue: z.string().nullish(),
  willContinue: z.boolean().nullish(),
});
export type GeminiPartialArg = z.infer<typeof partialArg>;

export const geminiResponsePart = z.looseObject({
  text: z.string().nullish(),
  thought: z.boolean().nullish(),
  thoughtSignature: z.string().nullish(),
  functionCall: z
    .looseObject({
      name: z.string().nullish(),
      id: z.string().nullish(),
      args: jsonObject.nullish(),
      partialArgs: z.array(partialArg).nullish(),
      willContinue: z.boolean().nullish(),
    })
    .nullish(),
});
export type GeminiResponsePart = z.infer<typeof geminiResponsePart>;

export const geminiErrorObject = z.looseObject({
  code: z.number().nullish(),
  message: z.string().nullish(),
  status: z.string().nullish(),
  details: z.array(z.looseObject({ '@type': z.string().nullish() })).nullish(),
});
export type GeminiErrorObject = z.infer<typeof geminiErrorObject>;

export const geminiResponse = z.looseObject({
  candidates: z
    .array(
      z.looseObject({
        content: z.looseObject({ parts: z.array(geminiResponsePart).nullish() }).nullish(),
        finishReason: z.string().nullish(),
      }),
    )
    .nullish(),
  promptFeedback: z.looseObject({ blockReason: z.string().nullish() }).nullish(),
  usageMetadata: geminiUsageMetadata.nullish(),
  modelVersion: z.string().nullish(),
  responseId: z.string().nullish(),
  error: geminiErrorObject.nullish(),
});
export type GeminiResponse = z.infer<typeof geminiResponse>;

export const geminiCountTokensResponse = z.looseObject({ totalTokens: z.number().nullish() });

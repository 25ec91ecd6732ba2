import type { IrAssistantBlock, IrCacheHint, IrTextBlock, IrUserBlock } from './content';

export type IrMessage =
  | { role: 'user'; content: IrUserBlock[] }
  | { role: 'assistant'; content: IrAssistantBlock[] }
  /** A system/developer message inside the conversation (OpenAI, Claude Code). */
  | { role: 'system'; content: IrTextBlock[] };

export interface IrTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object, as the client sent it. */
  parameters: Record<string, unknown>;
  strict?: boolean;
  cache?: IrCacheHint;
  /**
   * OpenAI Responses: the tool was declared inside a `namespace` tool (Codex groups MCP tools so).
   * `name` above is then the flattened name every other format sees; these are the original parts,
   * which a Responses client needs back on the call (it routes by `namespace` + `name`).
   */
  namespace?: { name: string; member: string };
  /**
   * OpenAI Responses: the client declared a tool that is not a JSON function — a freeform `custom`
   * tool (Codex's apply_patch: the model writes raw text, optionally under a grammar) or
   * `local_shell`. Every other format sees the function `parameters` above describe
   * (protocols/openai-responses/client-tools.ts); a Responses client gets the call back in its own
   * item type (`custom_tool_call`, `local_shell_call`).
   */
  declaredAs?: { type: 'custom'; format?: Record<string, unknown> } | { type: 'local_shell' };
}

export type IrToolChoice =
  | { type: 'auto' }
  | { type: 'none' }
  | { type: 'required' }
  | { type: 'tool'; name: string };

export type IrResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name?: string; description?: string; schema: Record<string, unknown>; strict?: boolean };

export type IrEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';

export interface IrReasoning {
  /** false = the client explicitly turned reasoning off. */
  enabled: boolean;
  effort?: IrEffort;
  /** A token budget, when the client gave one (Anthropic budget_tokens, Gemini thinkingBudget). */
  budgetTokens?: number;
  /** Whether the client wants to see reasoning text (summaries / thought parts). */
  visible?: boolean;
  summary?: 'auto' | 'concise' | 'detailed';
}

export interface IrRequest {
  /** The public model name the client asked for. */
  model: string;
  /** Leading system prompt (A system messages at the top, B instructions, C system, D systemInstruction). */
  system: IrTextBlock[];
  messages: IrMessage[];
  tools?: IrTool[];
  toolChoice?: IrToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: IrResponseFormat;
  reasoning?: IrReasoning;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  stream: boolean;
  /** OpenAI Chat clients see stream usage only when they asked (stream_options.include_usage). */
  streamUsage?: boolean;
  /** End-user identifier (A safety_identifier/user, C metadata.user_id). */
  user?: string;
  metadata?: Record<string, string>;
}

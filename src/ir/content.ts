/** Content blocks shared by requests, responses and history. One shape per meaning, whatever the wire format. */
import type { WireFormat } from './format';

/** A cache breakpoint hint (Anthropic cache_control, OpenAI prompt_cache_breakpoint). */
export interface IrCacheHint {
  ttl?: '5m' | '1h';
}

export interface IrTextBlock {
  type: 'text';
  text: string;
  cache?: IrCacheHint;
}

export type IrMediaSource =
  | { kind: 'url'; url: string; mediaType?: string }
  | { kind: 'base64'; mediaType: string; data: string };

export interface IrImageBlock {
  type: 'image';
  source: IrMediaSource;
  detail?: 'auto' | 'low' | 'high' | 'original';
  cache?: IrCacheHint;
}

/** A document (PDF or other file) in user content. */
export interface IrFileBlock {
  type: 'file';
  source: IrMediaSource;
  filename?: string;
  cache?: IrCacheHint;
}

/**
 * Opaque reasoning state, bound to the upstream that minted it. `origin` says which wire format
 * produced it; encoders only send it back to that format, and wrap it in an envelope
 * (see protocols/signature.ts) when it has to ride through another format's field.
 */
export interface IrSignature {
  origin: WireFormat;
  value: string;
  /** Gemini: whether the signature sat on a functionCall part ('fc') or a text part ('tx'). */
  placement?: 'fc' | 'tx';
  /** OpenAI Responses: the reasoning item id the encrypted content belongs to. */
  itemId?: string;
}

export interface IrThinkingBlock {
  type: 'thinking';
  text: string;
  signature?: IrSignature;
}

interface IrRedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
}

export interface IrToolCallBlock {
  type: 'tool_call';
  id: string;
  name: string;
  /** Arguments as JSON text, exactly as the model produced them ("" is read as {}). */
  arguments: string;
  /** Gemini: the thought signature that sat on this functionCall part. */
  signature?: IrSignature;
}

export interface IrToolResultBlock {
  type: 'tool_result';
  toolCallId: string;
  /** The called tool's name when the source format carries it (Gemini needs it). */
  name?: string;
  content: Array<IrTextBlock | IrImageBlock>;
  isError?: boolean;
  cache?: IrCacheHint;
}

export type IrUserBlock = IrTextBlock | IrImageBlock | IrFileBlock | IrToolResultBlock;
export type IrAssistantBlock = IrTextBlock | IrThinkingBlock | IrRedactedThinkingBlock | IrToolCallBlock;

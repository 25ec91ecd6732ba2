import type { IrAssistantBlock, IrSignature } from '../../ir/content';
import type { IrTool } from '../../ir/request';
import { randomId } from '../shared/ids';
import { wrapSignature } from '../signature';
import { customCallInput, localShellAction } from './client-tools';
import type { ResponsesLocalShellAction } from './client-tools';
import { fitResponsesCallId, splitResponsesToolName } from './tool-names';

/**
 * Responses output items as the relay writes them for clients, shared by the JSON encoder and the
 * stream encoder so that a stream's terminal `response.output` equals what the JSON answer would be.
 * Item ids are minted here (`msg_`/`rs_`/`fc_` + random) and never change after: clients correlate
 * `output_item.added`, `.done` and the terminal `response` by them.
 */
type ResponsesItemStatus = 'in_progress' | 'completed' | 'incomplete';

export interface ResponsesOutputTextPart {
  type: 'output_text';
  annotations: unknown[];
  logprobs: unknown[];
  text: string;
}

export interface ResponsesMessageItem {
  id: string;
  type: 'message';
  status: ResponsesItemStatus;
  role: 'assistant';
  content: ResponsesOutputTextPart[];
}

interface ResponsesSummaryPart {
  type: 'summary_text';
  text: string;
}

export interface ResponsesReasoningItem {
  id: string;
  type: 'reasoning';
  summary: ResponsesSummaryPart[];
  encrypted_content?: string;
}

interface ResponsesFunctionCallItem {
  id: string;
  type: 'function_call';
  status: ResponsesItemStatus;
  arguments: string;
  call_id: string;
  name: string;
  namespace?: string;
}

interface ResponsesCustomToolCallItem {
  id: string;
  type: 'custom_tool_call';
  status: ResponsesItemStatus;
  call_id: string;
  name: string;
  namespace?: string;
  input: string;
}

interface ResponsesLocalShellCallItem {
  id: string;
  type: 'local_shell_call';
  status: ResponsesItemStatus;
  call_id: string;
  action: ResponsesLocalShellAction;
}

/** The item a tool call becomes: the client's own kind for tools it declared as custom or local_shell. */
export type ResponsesToolCallItem = ResponsesFunctionCallItem | ResponsesCustomToolCallItem | ResponsesLocalShellCallItem;

export type ResponsesOutputItem = ResponsesMessageItem | ResponsesReasoningItem | ResponsesToolCallItem;

export const outputTextPart = (text: string): ResponsesOutputTextPart => ({ type: 'output_text', annotations: [], logprobs: [], text });

export const newMessageItem = (): ResponsesMessageItem => ({
  id: `msg_${randomId()}`,
  type: 'message',
  status: 'in_progress',
  role: 'assistant',
  content: [],
});

export const newReasoningItem = (): ResponsesReasoningItem => ({ id: `rs_${randomId()}`, type: 'reasoning', summary: [] });

/** Reasoning state from any upstream rides in `encrypted_content`; foreign state in an envelope. */
export const finishReasoningItem = (item: ResponsesReasoningItem, text: string, signature: IrSignature | undefined): void => {
  item.summary = text === '' ? [] : [{ type: 'summary_text', text }];
  if (signature !== undefined) item.encrypted_content = wrapSignature(signature, 'openai-responses');
};

const newFunctionCallItem = (call: { id: string; name: string }, tools: readonly IrTool[] | undefined): ResponsesFunctionCallItem => {
  const { name, namespace } = splitResponsesToolName(call.name, tools);
  return {
    id: `fc_${randomId()}`,
    type: 'function_call',
    status: 'in_progress',
    arguments: '',
    call_id: fitResponsesCallId(call.id),
    name,
    ...(namespace === undefined ? {} : { namespace }),
  };
};

/** A call item before its arguments are known; `completeToolCallItem` fills them in. */
export const newToolCallItem = (call: { id: string; name: string }, tools: readonly IrTool[] | undefined): ResponsesToolCallItem => {
  const declared = tools?.find((tool) => tool.name === call.name)?.declaredAs;
  if (declared === undefined) return newFunctionCallItem(call, tools);
  const common = { status: 'in_progress' as const, call_id: fitResponsesCallId(call.id) };
  if (declared.type === 'local_shell') return { id: `lsh_${randomId()}`, type: 'local_shell_call', ...common, action: localShellAction('{}') };
  const { name, namespace } = splitResponsesToolName(call.name, tools);
  return { id: `ctc_${randomId()}`, type: 'custom_tool_call', ...common, name, ...(namespace === undefined ? {} : { namespace }), input: '' };
};

/** Sets a call item's final arguments (no-argument calls become `{}`: clients JSON-parse them, and `""` is not JSON). */
export const completeToolCallItem = (item: ResponsesToolCallItem, args: string): void => {
  item.status = 'completed';
  if (item.type === 'function_call') item.arguments = args === '' ? '{}' : args;
  else if (item.type === 'custom_tool_call') item.input = customCallInput(args);
  else item.action = localShellAction(args);
};

/**
 * Whole IR content → output items: consecutive text blocks share one message item. Anthropic
 * redacted thinking has no Responses form and is left out (the next turn then simply lacks it).
 */
export const encodeResponsesOutput = (content: readonly IrAssistantBlock[], tools: readonly IrTool[] | undefined): ResponsesOutputItem[] => {
  const items: ResponsesOutputItem[] = [];
  let message: ResponsesMessageItem | undefined;
  for (const block of content) {
    if (block.type === 'text') {
      if (block.text === '') continue;
      if (message === undefined) {
        message = { ...newMessageItem(), status: 'completed' };
        items.push(message);
      }
      message.content.push(outputTextPart(block.text));
      continue;
    }
    if (block.type === 'redacted_thinking') continue;
    message = undefined;
    if (block.type === 'thinking') {
      const item = newReasoningItem();
      finishReasoningItem(item, block.text, block.signature);
      items.push(item);
    } else {
      const item = newToolCallItem(block, tools);
      completeToolCallItem(item, block.arguments);
      items.push(item);
    }
  }
  return items;
};

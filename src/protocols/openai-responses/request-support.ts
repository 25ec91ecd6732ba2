import { unsupportedFeature } from '../../errors';

/**
 * What a Responses request may ask for when it is translated to another upstream format. The same
 * request sent to a Responses upstream never comes here (passthrough), so everything refused here is
 * only refused across formats, with a 400 that names the field instead of a silent drop.
 */
const STATEFUL = 'stateful Responses features need an openai-responses upstream';
/** What is left of a previous_response_id or item_reference once the relay's own store was asked (relay/pipeline.ts). */
const UNKNOWN_ID = 'not a response this relay stored (unknown, expired, or answered with store: false), so only an openai-responses upstream could resolve it';

const MESSAGE_PARTS = new Set(['input_text', 'input_image', 'input_file', 'output_text', 'refusal']);
const TOOL_OUTPUT_PARTS = new Set(['input_text', 'input_image']);
const ITEMS = new Set([
  'message',
  'function_call',
  'function_call_output',
  'reasoning',
  'custom_tool_call',
  'custom_tool_call_output',
  'local_shell_call',
]);
const TOOL_OUTPUTS = new Set(['function_call_output', 'custom_tool_call_output']);

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const typeOf = (value: unknown): string | undefined =>
  isObject(value) && typeof value.type === 'string' ? value.type : undefined;
const present = (value: unknown): boolean => value !== undefined && value !== null;

const checkFileReference = (part: Json, path: string): void => {
  const type = typeOf(part);
  if (type === 'input_image' && !present(part.image_url) && present(part.file_id))
    throw unsupportedFeature(`${path}.file_id: OpenAI file ids need an openai-responses upstream`);
  if (type === 'input_file' && !present(part.file_data) && !present(part.file_url) && present(part.file_id))
    throw unsupportedFeature(`${path}.file_id: OpenAI file ids need an openai-responses upstream`);
};

const checkParts = (parts: unknown, allowed: Set<string>, path: string, what: string): void => {
  if (!Array.isArray(parts)) return;
  parts.forEach((part, index) => {
    const type = typeOf(part);
    if (type === undefined || !isObject(part)) return;
    if (!allowed.has(type)) throw unsupportedFeature(`${path}[${index}]: ${type} parts cannot be translated in ${what}`);
    checkFileReference(part, `${path}[${index}]`);
  });
};

/** Message items may omit `type`; the schema wants it spelled out. */
const normalizeItem = (item: unknown): unknown =>
  isObject(item) && item.type === undefined && typeof item.role === 'string' ? { ...item, type: 'message' } : item;

const checkItem = (item: unknown, path: string): void => {
  const type = typeOf(item);
  if (type === undefined || !isObject(item)) return;
  if (type === 'item_reference') throw unsupportedFeature(`${path}: item_reference: ${UNKNOWN_ID}`);
  if (!ITEMS.has(type)) throw unsupportedFeature(`${path}: ${type} items need an openai-responses upstream`);
  if (type === 'message') checkParts(item.content, MESSAGE_PARTS, `${path}.content`, 'messages');
  if (TOOL_OUTPUTS.has(type)) checkParts(item.output, TOOL_OUTPUT_PARTS, `${path}.output`, 'tool outputs');
};

/**
 * Hosted tools (web_search, file_search, code_interpreter, …) run inside OpenAI; no other upstream
 * can run them. They are dropped rather than refused: agents such as Codex CLI offer web_search on
 * every turn, and a 400 would make every other model unusable from them, while a model that is
 * not offered a tool simply does not call it. Tools the client runs itself are kept: functions,
 * and freeform `custom` and `local_shell`, which travel as functions (client-tools.ts).
 */
const CLIENT_TOOLS = new Set(['function', 'custom', 'local_shell']);

const isClientTool = (tool: unknown): boolean => {
  const type = typeOf(tool);
  return type === undefined || CLIENT_TOOLS.has(type);
};

const translatableTools = (tools: unknown): unknown => {
  if (!Array.isArray(tools)) return tools;
  return (tools as unknown[]).flatMap((tool) => {
    if (isClientTool(tool)) return [tool];
    if (typeOf(tool) !== 'namespace' || !isObject(tool)) return [];
    const members = Array.isArray(tool.tools) ? tool.tools : [];
    const kept = members.filter((member) => isClientTool(member) && typeOf(member) !== 'local_shell');
    return kept.length > 0 ? [{ ...tool, tools: kept }] : [];
  });
};

const checkToolChoice = (choice: unknown): void => {
  const type = typeOf(choice);
  if (type === undefined || type === 'function' || type === 'allowed_tools') return;
  throw unsupportedFeature(`tool_choice: ${type} tool choice needs an openai-responses upstream`);
};

/** Refuses what the IR cannot carry and fills in implied item types; returns the body to validate. */
export const prepareResponsesRequest = (body: unknown): unknown => {
  if (!isObject(body)) return body;
  if (present(body.previous_response_id)) throw unsupportedFeature(`previous_response_id: ${UNKNOWN_ID}`);
  if (present(body.conversation)) throw unsupportedFeature(`conversation: ${STATEFUL}`);
  if (body.background === true) throw unsupportedFeature(`background: ${STATEFUL}`);
  if (present(body.prompt)) throw unsupportedFeature('prompt: stored prompt templates need an openai-responses upstream');
  if (typeof body.top_logprobs === 'number' && body.top_logprobs > 0)
    throw unsupportedFeature('top_logprobs: logprobs need an openai-responses upstream');
  checkToolChoice(body.tool_choice);
  const tools = translatableTools(body.tools);
  const withTools = tools === undefined ? body : { ...body, tools };
  if (!Array.isArray(body.input)) return withTools;
  const input = body.input.map(normalizeItem);
  input.forEach((item, index) => checkItem(item, `input[${index}]`));
  return { ...withTools, input };
};

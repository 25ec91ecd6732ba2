import type { IrTool } from '../../ir/request';
import { isRecord, type JsonRecord } from '../shared/json-guards';

/**
 * Responses tools that are not JSON functions but that the client itself runs, so they can be offered
 * to any upstream as a function and answered in the client's own item type:
 * - `custom` (freeform): the model writes raw text, optionally under a grammar (Codex's `apply_patch`
 *   on GPT-5 models). Other formats see a function with one string argument `input`; the grammar
 *   goes into the description, since no other format can constrain output by a grammar.
 * - `local_shell`: Codex's shell tool on codex-mini models; the call is an `exec` action.
 * @see https://platform.openai.com/docs/guides/function-calling#custom-tools
 * @see https://platform.openai.com/docs/guides/tools-local-shell
 */

const grammarNote = (format: JsonRecord | undefined): string | undefined => {
  if (format?.type !== 'grammar' || typeof format.definition !== 'string') return undefined;
  const syntax = typeof format.syntax === 'string' ? `${format.syntax} ` : '';
  return `The input must match this ${syntax}grammar:\n${format.definition}`;
};

const CUSTOM_TOOL_PARAMETERS: JsonRecord = {
  type: 'object',
  properties: { input: { type: 'string', description: 'The raw text input of the tool, as its description asks for it.' } },
  required: ['input'],
  additionalProperties: false,
};

export const decodeResponsesCustomTool = (tool: { name: string; description?: string | null; format?: JsonRecord | null }, name: string): IrTool => {
  const note = grammarNote(tool.format ?? undefined);
  const description = [tool.description, note].filter((part): part is string => typeof part === 'string' && part !== '').join('\n\n');
  return {
    name,
    ...(description === '' ? {} : { description }),
    parameters: CUSTOM_TOOL_PARAMETERS,
    declaredAs: { type: 'custom', ...(tool.format ? { format: tool.format } : {}) },
  };
};

export const LOCAL_SHELL_NAME = 'local_shell';

export const LOCAL_SHELL_TOOL: IrTool = {
  name: LOCAL_SHELL_NAME,
  description: 'Runs a command on the local machine and returns its output.',
  parameters: {
    type: 'object',
    properties: {
      command: { type: 'array', items: { type: 'string' }, description: 'The command and its arguments, e.g. ["bash", "-lc", "ls"].' },
      workdir: { type: 'string', description: 'The working directory.' },
      timeout_ms: { type: 'number', description: 'Timeout in milliseconds.' },
    },
    required: ['command'],
  },
  declaredAs: { type: 'local_shell' },
};

/** A custom tool call's raw input as the arguments of the function the upstream was offered. */
export const customCallArguments = (input: string): string => JSON.stringify({ input });

/**
 * The raw input back from function arguments. Models mostly answer `{"input": "…"}`; a bare JSON
 * string or text that is not JSON at all (some models ignore the schema for one-field tools) is
 * taken as the input itself.
 */
export const customCallInput = (args: string): string => {
  try {
    const parsed: unknown = JSON.parse(args);
    if (typeof parsed === 'string') return parsed;
    if (isRecord(parsed) && typeof parsed.input === 'string') return parsed.input;
    return args;
  } catch {
    return args;
  }
};

export interface ResponsesLocalShellAction {
  type: 'exec';
  command: string[];
  working_directory: string | null;
  timeout_ms: number | null;
  env: Record<string, string>;
  user: string | null;
}

/** A local_shell_call action as the arguments of the function the upstream was offered. */
export const localShellCallArguments = (action: unknown): string => {
  const exec = isRecord(action) ? action : {};
  return JSON.stringify({
    command: Array.isArray(exec.command) ? exec.command : [],
    ...(typeof exec.working_directory === 'string' ? { workdir: exec.working_directory } : {}),
    ...(typeof exec.timeout_ms === 'number' ? { timeout_ms: exec.timeout_ms } : {}),
  });
};

export const localShellAction = (args: string): ResponsesLocalShellAction => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    parsed = undefined;
  }
  const object = isRecord(parsed) ? parsed : {};
  const command = Array.isArray(object.command)
    ? object.command.map(String)
    : typeof object.command === 'string'
      ? ['bash', '-lc', object.command]
      : [];
  return {
    type: 'exec',
    command,
    working_directory: typeof object.workdir === 'string' ? object.workdir : null,
    timeout_ms: typeof object.timeout_ms === 'number' ? object.timeout_ms : null,
    env: {},
    user: null,
  };
};

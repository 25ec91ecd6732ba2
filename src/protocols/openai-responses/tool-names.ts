import type { IrTool } from '../../ir/request';
import { fitToolCallId } from '../shared/tool-call-id';

/**
 * Namespaced tools. A Responses `namespace` tool groups function tools (Codex puts each MCP server in
 * one, e.g. `mcp__docs__`), and the model's call names them by `namespace` + `name`. The other formats
 * know only flat names, so the relay flattens: `<namespace>__<name>`, or `<namespace><name>` when the
 * namespace already ends in `__` — which gives Codex's own flat MCP spelling `mcp__docs__search`.
 * The IR tool keeps the original parts (IrTool.namespace) so the call can be split again for the
 * client; a flat name that is not a declared namespaced tool stays flat.
 */
export const flattenResponsesToolName = (namespace: string | null | undefined, name: string): string => {
  if (namespace === null || namespace === undefined || namespace === '') return name;
  return namespace.endsWith('__') ? `${namespace}${name}` : `${namespace}__${name}`;
};

export interface ResponsesCallName {
  name: string;
  namespace?: string;
}

/** The `name` (+ `namespace`) to show a Responses client for an IR tool call. */
export const splitResponsesToolName = (name: string, tools: readonly IrTool[] | undefined): ResponsesCallName => {
  const tool = tools?.find((candidate) => candidate.name === name);
  if (tool?.namespace === undefined) return { name };
  return { name: tool.namespace.member, namespace: tool.namespace.name };
};

/** Responses rejects a `call_id` longer than 64 characters; ids from other formats can be longer. */
export const fitResponsesCallId = (id: string): string => fitToolCallId(id, { maxLength: 64 });

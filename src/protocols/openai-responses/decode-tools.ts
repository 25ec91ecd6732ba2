import type { IrTool, IrToolChoice } from '../../ir/request';
import { invalidRequest, unsupportedFeature } from '../../errors';
import { decodeResponsesCustomTool, LOCAL_SHELL_TOOL } from './client-tools';
import type { ResponsesCustomTool, ResponsesFunctionTool, ResponsesRequest, ResponsesToolChoice } from './schema';
import { flattenResponsesToolName } from './tool-names';

/**
 * Responses `tools` + `tool_choice` → IR. Function tools map one to one, and so do the client-run
 * `custom` and `local_shell` tools, as functions (client-tools.ts); a `namespace` tool is
 * flattened into its member functions (tool-names.ts says how names are kept). The namespace's own
 * description has no place in the other formats and is not carried. `allowed_tools` becomes the
 * filtered tool list with auto/required, which is what the model can call either way.
 */
export interface DecodedResponsesTools {
  tools?: IrTool[];
  toolChoice?: IrToolChoice;
}

const EMPTY_SCHEMA: Record<string, unknown> = { type: 'object', properties: {} };

const irTool = (tool: ResponsesFunctionTool | ResponsesCustomTool, name: string, namespace?: IrTool['namespace']): IrTool => {
  if (tool.type === 'custom') return { ...decodeResponsesCustomTool(tool, name), ...(namespace ? { namespace } : {}) };
  return {
    name,
    ...(tool.description ? { description: tool.description } : {}),
    parameters: tool.parameters ?? EMPTY_SCHEMA,
    ...(typeof tool.strict === 'boolean' ? { strict: tool.strict } : {}),
    ...(namespace ? { namespace } : {}),
  };
};

const flattenTools = (tools: NonNullable<ResponsesRequest['tools']>): IrTool[] => {
  const out: IrTool[] = [];
  const seen = new Set<string>();
  const add = (tool: IrTool, path: string) => {
    if (seen.has(tool.name)) throw invalidRequest(`${path}: duplicate tool name "${tool.name}"`, path);
    seen.add(tool.name);
    out.push(tool);
  };
  tools.forEach((tool, index) => {
    if (tool.type === 'function' || tool.type === 'custom') return add(irTool(tool, tool.name), `tools[${index}]`);
    if (tool.type === 'local_shell') return add(LOCAL_SHELL_TOOL, `tools[${index}]`);
    tool.tools.forEach((member, memberIndex) =>
      add(
        irTool(member, flattenResponsesToolName(tool.name, member.name), { name: tool.name, member: member.name }),
        `tools[${index}].tools[${memberIndex}]`,
      ),
    );
  });
  return out;
};

/** A choice names a function as the client declared it: a top-level name, or a namespace member's. */
const resolveName = (name: string, tools: readonly IrTool[], path: string): string => {
  if (tools.some((tool) => tool.name === name)) return name;
  const members = tools.filter((tool) => tool.namespace?.member === name);
  const only = members.length === 1 ? members[0] : undefined;
  if (only !== undefined) return only.name;
  throw invalidRequest(`${path}: no tool named "${name}"`, path);
};

const decodeChoice = (choice: ResponsesToolChoice, tools: IrTool[]): DecodedResponsesTools => {
  if (choice === 'auto' || choice === 'none' || choice === 'required') return { tools, toolChoice: { type: choice } };
  if (choice.type === 'function') return { tools, toolChoice: { type: 'tool', name: resolveName(choice.name, tools, 'tool_choice.name') } };
  const allowed = new Set(
    choice.tools.map((entry, index) => {
      const path = `tool_choice.tools[${index}]`;
      if (entry.type !== 'function') throw unsupportedFeature(`${path}: ${entry.type} tools need an openai-responses upstream`);
      if (!entry.name) throw invalidRequest(`${path}.name: Required`, `${path}.name`);
      return resolveName(entry.name, tools, `${path}.name`);
    }),
  );
  return { tools: tools.filter((tool) => allowed.has(tool.name)), toolChoice: { type: choice.mode } };
};

export const decodeResponsesTools = (request: Pick<ResponsesRequest, 'tools' | 'tool_choice'>): DecodedResponsesTools => {
  const tools = request.tools ? flattenTools(request.tools) : [];
  const decoded = request.tool_choice ? decodeChoice(request.tool_choice, tools) : { tools };
  return {
    ...(decoded.tools && decoded.tools.length > 0 ? { tools: decoded.tools } : {}),
    ...(decoded.toolChoice ? { toolChoice: decoded.toolChoice } : {}),
  };
};

import { isRecord } from '../shared/json-guards';
import { toolsOf, type CostlyFeature } from '../shared/costly-feature';

/** Server tools Anthropic runs itself, billed per use (`web_search_20250305`, `code_execution_…`, …). */
const SERVER_TOOL = /^(?:web_search|web_fetch|code_execution|tool_search)_/;

export const anthropicCostlyFeatures = (body: Record<string, unknown>): CostlyFeature[] => {
  const found: CostlyFeature[] = [];
  toolsOf(body).forEach((tool, index) => {
    if (isRecord(tool) && typeof tool.type === 'string' && SERVER_TOOL.test(tool.type)) {
      found.push({ scope: 'hosted_tools', what: `tool "${tool.type}"`, param: `tools.${index}.type`, removal: { tool: index } });
    }
  });
  if (Array.isArray(body.mcp_servers) && body.mcp_servers.length > 0) {
    found.push({ scope: 'hosted_tools', what: 'mcp_servers', param: 'mcp_servers', removal: { field: 'mcp_servers' } });
  }
  // A container runs Agent Skills in Anthropic's code-execution sandbox.
  if (body.container !== undefined && body.container !== null) found.push({ scope: 'hosted_tools', what: 'container', param: 'container' });
  return found;
};

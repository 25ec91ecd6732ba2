import { isRecord } from '../shared/json-guards';
import { openaiServiceTier, toolsOf, type CostlyFeature } from '../shared/costly-feature';

/** Tool types OpenAI runs on its side (the client never executes them, and their calls are billed per use). */
const HOSTED_TOOL = /^(?:web_search|file_search|code_interpreter|image_generation|mcp)/;

export const openaiResponsesCostlyFeatures = (body: Record<string, unknown>): CostlyFeature[] => {
  const found = openaiServiceTier(body);
  toolsOf(body).forEach((tool, index) => {
    if (isRecord(tool) && typeof tool.type === 'string' && HOSTED_TOOL.test(tool.type)) {
      found.push({ scope: 'hosted_tools', what: `tool "${tool.type}"`, param: `tools.${index}.type`, removal: { tool: index } });
    }
  });
  if (body.background === true) found.push({ scope: 'background', what: 'background: true', param: 'background' });
  return found;
};

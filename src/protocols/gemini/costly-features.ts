import { isRecord } from '../shared/json-guards';
import { toolsOf, type CostlyFeature } from '../shared/costly-feature';

/** Tools Google runs itself (grounding with Search or Maps, code execution, URL context, file search), in either spelling. */
const HOSTED_TOOL_FIELDS = [
  'googleSearch', 'google_search', 'googleSearchRetrieval', 'google_search_retrieval', 'codeExecution', 'code_execution',
  'urlContext', 'url_context', 'fileSearch', 'file_search', 'googleMaps', 'google_maps', 'enterpriseWebSearch', 'enterprise_web_search',
];

export const geminiCostlyFeatures = (body: Record<string, unknown>): CostlyFeature[] => {
  const found: CostlyFeature[] = [];
  toolsOf(body).forEach((tool, index) => {
    if (!isRecord(tool)) return;
    for (const field of HOSTED_TOOL_FIELDS) {
      if (tool[field] !== undefined) found.push({ scope: 'hosted_tools', what: `tool "${field}"`, param: `tools.${index}.${field}`, removal: { tool: index, toolField: field } });
    }
  });
  return found;
};

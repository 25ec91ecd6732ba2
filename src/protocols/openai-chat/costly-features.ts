import { openaiServiceTier, type CostlyFeature } from '../shared/costly-feature';

export const openaiChatCostlyFeatures = (body: Record<string, unknown>): CostlyFeature[] => {
  const found = openaiServiceTier(body);
  // Search models run a web search per request and bill it apart from tokens.
  if (body.web_search_options !== undefined && body.web_search_options !== null) {
    found.push({ scope: 'hosted_tools', what: 'web_search_options', param: 'web_search_options', removal: { field: 'web_search_options' } });
  }
  return found;
};

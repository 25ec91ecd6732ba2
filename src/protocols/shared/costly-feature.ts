/**
 * Upstream features that cost the operator more than the tokens the relay meters, or that it cannot
 * see at all: tools the provider runs itself (web search, code execution, file search, image
 * generation, MCP connectors), paid service tiers, and background runs the relay never observes.
 * Each needs the key scope of the same name. Without it, what can be taken out of the request is
 * (agents send hosted tools and tiers on every turn: Codex its web_search tool) and the answer says so
 * in a header; what cannot (a background run) is refused.
 */
export const COSTLY_FEATURE_SCOPES = ['hosted_tools', 'priority_tier', 'background'] as const;
type CostlyFeatureScope = (typeof COSTLY_FEATURE_SCOPES)[number];

export interface CostlyFeature {
  scope: CostlyFeatureScope;
  /** What the client asked for, as the error names it: `tool "web_search"`, `service_tier "priority"`. */
  what: string;
  /** The request field that carries it. */
  param: string;
  /** How to take it out of the body; absent when the request means nothing without it. */
  removal?: FeatureRemoval;
}

/** A top-level field, a whole entry of `tools`, or one field of a `tools` entry (Gemini groups tools by kind). */
type FeatureRemoval = { field: string } | { tool: number } | { tool: number; toolField: string };

const PAID_OPENAI_TIERS = new Set(['priority', 'scale']);

/** OpenAI's `service_tier` (Chat and Responses): `priority` and `scale` are billed above the standard rate. */
export const openaiServiceTier = (body: Record<string, unknown>): CostlyFeature[] =>
  typeof body.service_tier === 'string' && PAID_OPENAI_TIERS.has(body.service_tier)
    ? [{ scope: 'priority_tier', what: `service_tier "${body.service_tier}"`, param: 'service_tier', removal: { field: 'service_tier' } }]
    : [];

export const toolsOf = (body: Record<string, unknown>): unknown[] => (Array.isArray(body.tools) ? body.tools : []);

/** The body without the given features (a copy; the original is untouched). */
export const withoutFeatures = (body: Record<string, unknown>, features: readonly CostlyFeature[]): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...body };
  const droppedTools = new Set<number>();
  const droppedToolFields = new Map<number, string[]>();
  for (const { removal } of features) {
    if (removal === undefined) continue;
    if ('field' in removal) delete out[removal.field];
    else if ('toolField' in removal) droppedToolFields.set(removal.tool, [...(droppedToolFields.get(removal.tool) ?? []), removal.toolField]);
    else droppedTools.add(removal.tool);
  }
  if (droppedTools.size > 0 || droppedToolFields.size > 0) {
    const tools = toolsOf(body).flatMap((tool, index) => {
      if (droppedTools.has(index)) return [];
      const fields = droppedToolFields.get(index);
      if (fields === undefined || typeof tool !== 'object' || tool === null) return [tool];
      const kept = Object.fromEntries(Object.entries(tool).filter(([name]) => !fields.includes(name)));
      return Object.keys(kept).length === 0 ? [] : [kept];
    });
    if (tools.length === 0) delete out.tools;
    else out.tools = tools;
  }
  return out;
};

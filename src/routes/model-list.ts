import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { modelNotFound } from '../auth/model-access';
import { listPublicModels } from '../routing/resolve-model';
import { loadRouteTable, type RouteTable } from '../routing/route-table';

const RELAY_EPOCH_SECONDS = 1_700_000_000;

interface ListedModel {
  id: string;
  contextWindow: number | null;
  maxOutputTokens: number | null;
  /** For a wildcard pattern (`mock-*`): what it serves. */
  note?: string;
}

const isPattern = (publicModel: string): boolean => publicModel.endsWith('*');

/** Whether a route's public model (an exact name or a `prefix*` pattern) serves the name. */
const serves = (publicModel: string, name: string): boolean =>
  isPattern(publicModel) ? name.startsWith(publicModel.slice(0, -1)) : publicModel === name;

const tighter = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b));

/** The chat routes that would serve `name`, as routing picks them: exact routes, else the wildcards matching it. */
const routesServing = (table: RouteTable, name: string) => {
  const chat = table.routes.filter((route) => route.provider.protocol !== 'openai-images');
  const exact = chat.filter((route) => route.publicModel === name);
  return exact.length > 0 ? exact : chat.filter((route) => isPattern(route.publicModel) && serves(route.publicModel, name));
};

/** A listed model with the tightest limits its routes declare: a request may go to any of them. */
const listed = (table: RouteTable, id: string, note?: string): ListedModel =>
  routesServing(table, id).reduce<ListedModel>(
    (model, route) => ({
      ...model,
      contextWindow: tighter(model.contextWindow, route.model.contextWindow),
      maxOutputTokens: tighter(model.maxOutputTokens, route.model.maxOutputTokens),
    }),
    { id, contextWindow: null, maxOutputTokens: null, ...(note === undefined ? {} : { note }) },
  );

const patternNote = (pattern: string): string => `wildcard route: any model name starting with "${pattern.slice(0, -1)}" is served`;

/**
 * The models a key may use. An unrestricted key sees every exact name and every wildcard pattern
 * (with a note saying what it serves); a key limited to a list of names sees those a route serves.
 */
const visibleModels = async (c: Context<AppEnv>): Promise<ListedModel[]> => {
  const table = await loadRouteTable(c.env, Date.now(), c.executionCtx);
  const publicModels = listPublicModels(table);
  const allowed = c.var.apiKey.models;
  if (allowed === null) return publicModels.map((name) => listed(table, name, isPattern(name) ? patternNote(name) : undefined));
  return allowed.filter((name) => publicModels.some((publicModel) => serves(publicModel, name))).map((name) => listed(table, name));
};

/** Any name the key may call and a route serves, a wildcard's included: chatting with it works, so this answers too. */
const findVisible = async (c: Context<AppEnv>, id: string): Promise<ListedModel | undefined> => {
  const allowed = c.var.apiKey.models;
  if (allowed !== null && !allowed.includes(id)) return undefined;
  const table = await loadRouteTable(c.env, Date.now(), c.executionCtx);
  return routesServing(table, id).length > 0 ? listed(table, id) : undefined;
};

/**
 * One entry readable by both SDKs: OpenAI's Model (id, object, created, owned_by) and Anthropic's ModelInfo
 * (type, id, display_name, created_at); both keep unknown fields. Limits appear when a route declares them,
 * as context_window / max_output_tokens, plus context_length, the name OpenRouter's model list uses.
 */
const modelEntry = (model: ListedModel) => ({
  id: model.id,
  object: 'model',
  type: 'model',
  created: RELAY_EPOCH_SECONDS,
  owned_by: 'polyrelay',
  display_name: model.id,
  created_at: new Date(RELAY_EPOCH_SECONDS * 1000).toISOString(),
  ...(model.contextWindow === null ? {} : { context_window: model.contextWindow, context_length: model.contextWindow }),
  ...(model.maxOutputTokens === null ? {} : { max_output_tokens: model.maxOutputTokens }),
  ...(model.note === undefined ? {} : { note: model.note }),
});

/** GET /v1/models: the OpenAI list shape plus Anthropic's pagination fields. */
export const modelList = async (c: Context<AppEnv>): Promise<Response> => {
  const data = (await visibleModels(c)).map(modelEntry);
  return c.json({ object: 'list', data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
};

export const modelOf = async (c: Context<AppEnv>, id: string): Promise<Response> => {
  const model = await findVisible(c, id);
  if (model === undefined) {
    throw modelNotFound(id);
  }
  return c.json(modelEntry(model));
};

const geminiEntry = (model: ListedModel) => ({
  name: `models/${model.id}`,
  baseModelId: model.id,
  version: '1',
  displayName: model.id,
  description: model.note ?? `${model.id} via polyrelay`,
  inputTokenLimit: model.contextWindow ?? 1_000_000,
  outputTokenLimit: model.maxOutputTokens ?? 65_536,
  supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
});

/** GET /v1beta/models in Gemini's ListModelsResponse shape. */
export const geminiModelList = async (c: Context<AppEnv>): Promise<Response> => c.json({ models: (await visibleModels(c)).map(geminiEntry) });

export const geminiModelOf = async (c: Context<AppEnv>, id: string): Promise<Response> => {
  const name = id.startsWith('models/') ? id.slice(7) : id;
  const model = await findVisible(c, name);
  if (model === undefined) throw modelNotFound(name);
  return c.json(geminiEntry(model));
};

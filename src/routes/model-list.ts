import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { RelayError } from '../errors';
import { listPublicModels } from '../routing/resolve-model';
import { loadRouteTable } from '../routing/route-table';

const RELAY_EPOCH_SECONDS = 1_700_000_000;

const visibleModels = async (c: Context<AppEnv>): Promise<string[]> => {
  const names = listPublicModels(await loadRouteTable(c.env)).map((name) => (name.endsWith('*') ? `${name.slice(0, -1)}default` : name));
  const allowed = c.var.apiKey.models;
  return allowed === null ? names : names.filter((name) => allowed.includes(name));
};

/** One entry readable by both SDKs: OpenAI's Model (id, object, created, owned_by) and Anthropic's ModelInfo (type, id, display_name, created_at). */
const modelEntry = (id: string) => ({
  id,
  object: 'model',
  type: 'model',
  created: RELAY_EPOCH_SECONDS,
  owned_by: 'polyrelay',
  display_name: id,
  created_at: new Date(RELAY_EPOCH_SECONDS * 1000).toISOString(),
});

/** GET /v1/models: the OpenAI list shape plus Anthropic's pagination fields. */
export const modelList = async (c: Context<AppEnv>): Promise<Response> => {
  const data = (await visibleModels(c)).map(modelEntry);
  return c.json({ object: 'list', data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
};

export const modelOf = async (c: Context<AppEnv>, id: string): Promise<Response> => {
  if (!(await visibleModels(c)).includes(id)) {
    throw new RelayError('model_not_found', 404, `The model "${id}" does not exist or is not served by this relay`, { code: 'model_not_found' });
  }
  return c.json(modelEntry(id));
};

const geminiEntry = (id: string) => ({
  name: `models/${id}`,
  baseModelId: id,
  version: '1',
  displayName: id,
  description: `${id} via polyrelay`,
  inputTokenLimit: 1_000_000,
  outputTokenLimit: 65_536,
  supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
});

/** GET /v1beta/models in Gemini's ListModelsResponse shape. */
export const geminiModelList = async (c: Context<AppEnv>): Promise<Response> =>
  c.json({ models: (await visibleModels(c)).map(geminiEntry) });

export const geminiModelOf = async (c: Context<AppEnv>, id: string): Promise<Response> => {
  const name = id.startsWith('models/') ? id.slice(7) : id;
  if (!(await visibleModels(c)).includes(name)) throw new RelayError('model_not_found', 404, `models/${name} is not found`);
  return c.json(geminiEntry(name));
};

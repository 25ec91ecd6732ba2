import { DEFAULT_MODELS, type ModelNames } from './configs';
import type { RouteTable } from '../routing/route-table';

/** An example name a route serves: the name itself, or for a wildcard its prefix and `1` (mock-* → mock-1). */
const exampleOf = (publicModel: string): string => (publicModel.endsWith('*') ? `${publicModel.slice(0, -1)}1` : publicModel);

/**
 * The models the snippets name: the well-known default of each family when this relay routes it,
 * else a model whose provider speaks that family's format, else any routed chat model (the mock's
 * mock-1 under `npm run dev`), so a copied snippet never asks for a model that is a 404 here.
 */
export const routedModelNames = (table: RouteTable): ModelNames => {
  const chatRoutes = table.routes.filter((route) => route.provider.protocol !== 'openai-images');
  const served = (name: string) => chatRoutes.some((route) => route.publicModel === name || (route.publicModel.endsWith('*') && name.startsWith(route.publicModel.slice(0, -1))));
  const pick = (family: keyof ModelNames, protocols: readonly string[]): string => {
    if (served(DEFAULT_MODELS[family])) return DEFAULT_MODELS[family];
    const native = chatRoutes.find((route) => protocols.includes(route.provider.protocol)) ?? chatRoutes[0];
    return native === undefined ? DEFAULT_MODELS[family] : exampleOf(native.publicModel);
  };
  return {
    anthropic: pick('anthropic', ['anthropic']),
    openai: pick('openai', ['openai-chat', 'openai-responses']),
    gemini: pick('gemini', ['gemini']),
  };
};

import type { WireFormat } from '../ir/format';
import { WIRE_FORMATS } from '../ir/format';
import type { Candidate, ProviderProtocol } from './provider';
import type { RouteEntry, RouteTable } from './route-table';
import { defaultOutputTokenField } from './model-profile';
import { isProviderHealthy, providerRateLimitedUntil } from './provider-health';

const isWireFormat = (protocol: ProviderProtocol): protocol is WireFormat =>
  (WIRE_FORMATS as readonly string[]).includes(protocol);

const matches = (pattern: string, model: string): boolean =>
  pattern.endsWith('*') ? model.startsWith(pattern.slice(0, -1)) : pattern === model;

/** Weighted random order within one priority group (weight 0 = last resort within the group). */
const weightedShuffle = <T extends { provider: { weight: number } }>(items: T[], random: () => number): T[] => {
  const pool = [...items];
  const out: T[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((sum, item) => sum + Math.max(item.provider.weight, 0), 0);
    let pick = 0;
    if (total > 0) {
      let ticket = random() * total;
      pick = pool.findIndex((item) => (ticket -= Math.max(item.provider.weight, 0)) < 0);
      if (pick < 0) pick = pool.length - 1;
    }
    out.push(...pool.splice(pick, 1));
  }
  return out;
};

export interface ModelRoute {
  /** In the order to try them. */
  candidates: Candidate[];
  /** When every route was skipped because its provider asked to wait: the earliest time one may be called again. */
  rateLimitedUntil?: number;
}

/**
 * Candidates for a public model, in the order to try them: exact routes before wildcard routes,
 * lower priority number first, weighted choice within a group, unhealthy (circuit open) providers
 * moved to the end rather than dropped so a model never becomes unreachable on stale health.
 * Providers that said `retry-after` (or answered 429) are skipped until then: calling them again
 * would only earn another 429. Only providers that speak a chat wire format (or the mock) serve chat.
 */
export const routeModel = (table: RouteTable, model: string, now: number, random = Math.random): ModelRoute => {
  const exact: RouteEntry[] = [];
  const wildcard: RouteEntry[] = [];
  for (const route of table.routes) {
    if (route.provider.protocol === 'openai-images') continue;
    if (route.publicModel === model) exact.push(route);
    else if (matches(route.publicModel, model)) wildcard.push(route);
  }
  const chosen = exact.length > 0 ? exact : wildcard;
  const groups = new Map<number, RouteEntry[]>();
  for (const route of chosen) {
    const group = groups.get(route.provider.priority) ?? [];
    group.push(route);
    groups.set(route.provider.priority, group);
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => a - b).flatMap(([, group]) => weightedShuffle(group, random));
  let rateLimitedUntil = Number.POSITIVE_INFINITY;
  const callable = ordered.filter((route) => {
    const until = providerRateLimitedUntil(route.provider.id, now);
    if (until > 0) rateLimitedUntil = Math.min(rateLimitedUntil, until);
    return until === 0;
  });
  const healthy = callable.filter((route) => isProviderHealthy(route.provider.id, now));
  const unhealthy = callable.filter((route) => !isProviderHealthy(route.provider.id, now));
  const candidates = [...healthy, ...unhealthy].map((route) => toCandidate(route, model));
  return candidates.length === 0 && ordered.length > 0 ? { candidates, rateLimitedUntil } : { candidates };
};

export const resolveModel = (table: RouteTable, model: string, now: number, random = Math.random): Candidate[] =>
  routeModel(table, model, now, random).candidates;

const toCandidate = (route: RouteEntry, requestedModel: string): Candidate => {
  const protocol = route.provider.protocol;
  const passesName = route.publicModel.endsWith('*') && route.upstreamModel === route.publicModel;
  const upstreamModel = passesName ? requestedModel : route.upstreamModel;
  return {
    provider: route.provider,
    upstreamModel,
    model: passesName && !route.outputTokenFieldSet ? { ...route.model, outputTokenField: defaultOutputTokenField(upstreamModel) } : route.model,
    // The mock speaks whatever the client speaks, so it is always a same-format passthrough.
    formatFor: (clientFormat) => (isWireFormat(protocol) ? protocol : clientFormat),
  };
};

/** Public model names a key may see (wildcard routes are listed by their pattern's examples elsewhere). */
export const listPublicModels = (table: RouteTable): string[] => {
  const names = new Set<string>();
  for (const route of table.routes) if (route.provider.protocol !== 'openai-images') names.add(route.publicModel);
  return [...names].sort();
};

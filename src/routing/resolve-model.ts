import type { WireFormat } from '../ir/format';
import { WIRE_FORMATS } from '../ir/format';
import type { Candidate, ProviderProtocol } from './provider';
import type { RouteEntry, RouteTable } from './route-table';
import { mockFormatFor } from '../protocols/registry';
import { defaultOutputTokenField } from './model-profile';
import { isProviderHealthy, routeRateLimitedUntil } from './provider-health';
import { affinityOrder } from './session-affinity';

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
}

/** Order of preference: answering routes, then routes that just said 429 (soonest free first), then open breakers. */
const RANK_FREE = 0;
const RANK_RATE_LIMITED = 1;
const RANK_UNHEALTHY = 2;

/**
 * Candidates for a public model, in the order to try them: exact routes before wildcard routes,
 * lower priority number first, weighted choice within a group. Then two demotions, never removals,
 * so a model never becomes unreachable on stale memory: a route (provider and upstream model) that
 * recently answered 429 or said `retry-after` moves behind the others, and a provider whose breaker is
 * open moves to the end. Only providers that speak a chat wire format (or the mock) serve chat.
 * A request of an agent session (`sessionKey`, see session-affinity.ts) gets its group in the
 * session's own order instead of a weighted draw, so its upstream prompt cache keeps hitting; the
 * demotions still apply on top of it.
 */
export const routeModel = (table: RouteTable, model: string, now: number, random = Math.random, sessionKey?: string): ModelRoute => {
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
  const ordered = [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([, group]) => (sessionKey === undefined ? weightedShuffle(group, random) : affinityOrder(group, sessionKey)));
  const ranked = ordered.map((route) => {
    const candidate = toCandidate(route, model);
    const limitedUntil = routeRateLimitedUntil(route.provider.id, candidate.upstreamModel, now);
    const rank = !isProviderHealthy(route.provider.id, now) ? RANK_UNHEALTHY : limitedUntil > 0 ? RANK_RATE_LIMITED : RANK_FREE;
    return { candidate, rank, limitedUntil };
  });
  // Array#sort is stable: within a rank the priority and weighted order stays.
  ranked.sort((a, b) => a.rank - b.rank || (a.rank === RANK_RATE_LIMITED ? a.limitedUntil - b.limitedUntil : 0));
  return { candidates: ranked.map((entry) => entry.candidate) };
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
    // The mock speaks whatever it is addressed in (the registry says which format that is).
    formatFor: (clientFormat) => (isWireFormat(protocol) ? protocol : mockFormatFor(clientFormat)),
  };
};

/** Public model names a key may see (wildcard routes are listed by their pattern's examples elsewhere). */
export const listPublicModels = (table: RouteTable): string[] => {
  const names = new Set<string>();
  for (const route of table.routes) if (route.provider.protocol !== 'openai-images') names.add(route.publicModel);
  return [...names].sort();
};

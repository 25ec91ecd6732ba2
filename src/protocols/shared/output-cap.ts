import type { IrRequest } from '../../ir/request';
import type { UpstreamTarget } from '../codec';
import type { JsonRecord } from './json-guards';

/**
 * A model's output ceiling (`maxOutputTokens` on its route). Clients ask for what suits the largest
 * model they know (Claude Code asks 32,000 on every turn); a model that allows less answers that
 * with a 400, so the relay asks for at most what the model allows, translated and passthrough alike.
 */
export const capOutputTokens = (requested: number | undefined, target: UpstreamTarget): number | undefined => {
  const ceiling = target.profile?.maxOutputTokens ?? null;
  if (ceiling === null || requested === undefined) return requested;
  return Math.min(requested, ceiling);
};

/** The IR request with its output limit capped for `target` (the same object when nothing changes). */
export const withOutputCap = (request: IrRequest, target: UpstreamTarget): IrRequest => {
  const capped = capOutputTokens(request.maxOutputTokens, target);
  return capped === request.maxOutputTokens ? request : { ...request, maxOutputTokens: capped };
};

/**
 * Passthrough: `record[field]` capped for `target`, or undefined when it needs no change (absent,
 * not a number, or within the ceiling), so callers copy the body only when something changes.
 */
export const cappedField = (record: JsonRecord, field: string, target: UpstreamTarget): number | undefined => {
  const value = record[field];
  if (typeof value !== 'number') return undefined;
  const capped = capOutputTokens(value, target);
  return capped === value ? undefined : capped;
};

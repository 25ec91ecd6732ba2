import { RelayError } from '../errors';
import { withoutFeatures, type CostlyFeature } from '../protocols/shared/costly-feature';

export interface ScopedBody {
  body: Record<string, unknown>;
  /** What was taken out for want of a scope, for the `x-polyrelay-removed-features` header; empty when nothing was. */
  removed: string[];
}

/**
 * Hosted tools, paid tiers and background runs cost the operator more than the tokens the relay
 * meters (or happen where it cannot meter them), so a key needs the matching scope. Without it, a
 * feature the request can do without is taken out (and named in a header); one it cannot is refused
 * before quota and before any upstream, in the caller's shape.
 */
export const applyFeatureScopes = (body: Record<string, unknown>, features: readonly CostlyFeature[], scopes: readonly string[]): ScopedBody => {
  const unscoped = features.filter((feature) => !scopes.includes(feature.scope));
  if (unscoped.length === 0) return { body, removed: [] };
  const refused = unscoped.find((feature) => feature.removal === undefined);
  if (refused !== undefined) {
    throw new RelayError('permission', 403, `this API key may not use ${refused.what}: it needs the "${refused.scope}" scope (ask the relay's operator)`, {
      code: 'feature_not_allowed',
      param: refused.param,
    });
  }
  return { body: withoutFeatures(body, unscoped), removed: unscoped.map((feature) => feature.what) };
};

export const REMOVED_FEATURES_HEADER = 'x-polyrelay-removed-features';

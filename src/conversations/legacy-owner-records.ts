import type { Env } from '../env';
import type { OwnerRecord } from './upstream-response-owners';

/**
 * Owner records written to KV (`rsp:{account}:upstream:{id}`, `rsp:{account}:upstream-item:{id}`)
 * before they moved to the account's UpstreamStateOwners object. Read only for ids the object does
 * not know, so a conversation stored before that change still continues; they expire 30 days after
 * they were written, and this file can go once the last of them has.
 */

/** Records from before they named a provider: owned, the provider unknown. */
const LEGACY_OWNED = '1';
const PROVIDER_TAG = 'p:';

const recordOf = (value: string | null): OwnerRecord => {
  if (value === null) return null;
  if (value.startsWith(PROVIDER_TAG)) return value.slice(PROVIDER_TAG.length);
  return value === LEGACY_OWNED ? '' : null;
};

/** The KV records under `keys`, one read each, in parallel. */
export const readLegacyOwners = (env: Env, keys: readonly string[]): Promise<OwnerRecord[]> =>
  Promise.all(keys.map(async (key) => recordOf(await env.TASKS.get(key))));

import type { AuthenticatedKey } from '../auth/key-record';

/**
 * The QuotaLimiter a key's requests are admitted by. An inference key has its own; every agent key of
 * an account shares one, so the account's agent keys draw from a single 5-hour and weekly window and
 * revoking or adding one agent key changes nothing for the others. Image task leases stay per key id:
 * agent keys never reach the image API.
 */
export const limiterNameOf = (key: Pick<AuthenticatedKey, 'id' | 'kind' | 'accountId'>): string =>
  key.kind === 'agent' ? `account:${key.accountId}` : key.id;

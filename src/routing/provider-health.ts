/**
 * Per-isolate circuit breaker per provider: CONSECUTIVE_FAILURES failures in a row open the circuit
 * for COOL_DOWN_MS; after that one request is let through (half-open) and a success closes it.
 * Kept in isolate memory on purpose: it costs nothing on the hot path, and each isolate learns an
 * upstream's failure within a few requests of its own.
 */
const CONSECUTIVE_FAILURES = 5;
const COOL_DOWN_MS = 30_000;

interface Breaker {
  failures: number;
  openUntil: number;
}

const breakers = new Map<string, Breaker>();

export const isProviderHealthy = (providerId: string, now: number): boolean => {
  const breaker = breakers.get(providerId);
  return breaker === undefined || breaker.openUntil <= now;
};

export const recordProviderSuccess = (providerId: string): void => {
  breakers.delete(providerId);
};

export const recordProviderFailure = (providerId: string, now: number): void => {
  const breaker = breakers.get(providerId) ?? { failures: 0, openUntil: 0 };
  breaker.failures += 1;
  if (breaker.failures >= CONSECUTIVE_FAILURES) breaker.openUntil = now + COOL_DOWN_MS;
  breakers.set(providerId, breaker);
};

export const resetProviderHealth = (): void => breakers.clear();

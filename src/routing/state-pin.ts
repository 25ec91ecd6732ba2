/**
 * State an upstream stored under its own ids (a Responses upstream's stored responses and items) is
 * known only to the provider that stored it: another key or organization answers "not found". A
 * request that continues such state goes to that provider's candidates alone, in the order routing
 * gave them (src/conversations/upstream-state.ts says which provider, and answers 404 when it serves
 * none of them); a fallback to a provider that never stored the ids could only fail, with an error
 * that hides the real one.
 */
export const pinnedToProvider = <T extends { provider: { id: string } }>(candidates: T[], providerId: string | undefined): T[] =>
  providerId === undefined ? candidates : candidates.filter((candidate) => candidate.provider.id === providerId);

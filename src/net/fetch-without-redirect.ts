/**
 * fetch() for calls that carry a provider's key: a redirect is never followed (the key and configured
 * headers would go wherever the Location points) and counts as an upstream failure, a 502, so the
 * relay's usual handling applies (retry, next candidate, breaker).
 */
export const fetchWithoutRedirect = async (url: string, init: RequestInit): Promise<Response> => {
  const response = await fetch(url, { ...init, redirect: 'manual' });
  if (response.status < 300 || response.status > 399) return response;
  await response.body?.cancel();
  const message = `upstream answered ${response.status} (a redirect); redirects are not followed with a provider key`;
  return Response.json({ error: { message, type: 'api_error' } }, { status: 502 });
};

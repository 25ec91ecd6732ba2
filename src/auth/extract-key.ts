/**
 * Finds the client's key where its SDK puts it: `Authorization: Bearer` (OpenAI, Claude Code's
 * ANTHROPIC_AUTH_TOKEN), `x-api-key` (Anthropic), `x-goog-api-key` or `?key=` (Gemini).
 * Every header is accepted on every endpoint, since agents mix them.
 */
export const extractApiKey = (request: Request): string | undefined => {
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match?.[1]) return match[1].trim();
  }
  const direct = request.headers.get('x-api-key') ?? request.headers.get('x-goog-api-key');
  if (direct !== null && direct.trim() !== '') return direct.trim();
  const queryKey = new URL(request.url).searchParams.get('key');
  return queryKey !== null && queryKey !== '' ? queryKey : undefined;
};

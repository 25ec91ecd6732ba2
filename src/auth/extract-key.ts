/** Paths where Gemini SDKs may send the key as `?key=` (their REST convention); nowhere else. */
const QUERY_KEY_PATHS = /^\/(?:gemini\/)?v1beta\//;

/**
 * Finds the client's key where its SDK puts it: `Authorization: Bearer` (OpenAI, Claude Code's
 * ANTHROPIC_AUTH_TOKEN), `x-api-key` (Anthropic), `x-goog-api-key` (Gemini) on every endpoint, since
 * agents mix them; `?key=` only on Gemini paths, because a key in a URL lands in logs and Referer headers.
 */
export const extractApiKey = (request: Request): string | undefined => {
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match?.[1]) return match[1].trim();
  }
  const direct = request.headers.get('x-api-key') ?? request.headers.get('x-goog-api-key');
  if (direct !== null && direct.trim() !== '') return direct.trim();
  const url = new URL(request.url);
  if (!QUERY_KEY_PATHS.test(url.pathname)) return undefined;
  const queryKey = url.searchParams.get('key');
  return queryKey !== null && queryKey !== '' ? queryKey : undefined;
};

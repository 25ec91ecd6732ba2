import { isRecord, type JsonRecord } from '../shared/json-guards';
import { sessionKeyFrom, sessionKeyFromHeaders } from '../shared/session-key';

/** Claude Code before 2.1.78: `user_<device hash>_account_<account uuid or empty>_session_<session uuid>`. */
const LEGACY_USER_ID = /_session_([\w-]+)$/;

/** Claude Code 2.1.78 and later: a JSON string `{"device_id": …, "account_uuid": …, "session_id": …}`. */
const sessionIdOfJson = (userId: string): string | undefined => {
  if (!userId.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(userId);
    return isRecord(parsed) ? sessionKeyFrom(parsed.session_id) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * An Anthropic request's agent session: the session Claude Code writes into `metadata.user_id`
 * (either of its shapes), else its `x-claude-code-session-id` header, else any other client's
 * `metadata.user_id` as a whole (one end user then keeps one provider).
 */
export const anthropicSessionKey = (body: JsonRecord, headers: Headers): string | undefined => {
  const userId = isRecord(body.metadata) ? body.metadata.user_id : undefined;
  if (typeof userId === 'string') {
    const session = sessionIdOfJson(userId) ?? sessionKeyFrom(LEGACY_USER_ID.exec(userId)?.[1]);
    if (session !== undefined) return session;
  }
  return sessionKeyFromHeaders(headers, ['x-claude-code-session-id']) ?? sessionKeyFrom(userId);
};

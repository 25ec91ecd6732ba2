import type { JsonRecord } from '../shared/json-guards';
import { sessionKeyFrom, sessionKeyFromHeaders } from '../shared/session-key';

/** Codex CLI names its conversation in a header: `session_id` (older builds also `conversation_id`), `session-id` lately. */
const SESSION_HEADERS = ['session_id', 'session-id', 'conversation_id'] as const;

/**
 * A Responses request's agent session: `prompt_cache_key` (OpenAI's own routing hint for its cache;
 * Codex sets it to its conversation id), else Codex's session header, else the end-user identifiers.
 */
export const responsesSessionKey = (body: JsonRecord, headers: Headers): string | undefined =>
  sessionKeyFrom(body.prompt_cache_key) ??
  sessionKeyFromHeaders(headers, SESSION_HEADERS) ??
  sessionKeyFrom(body.safety_identifier) ??
  sessionKeyFrom(body.user);

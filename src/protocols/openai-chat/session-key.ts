import type { JsonRecord } from '../shared/json-guards';
import { sessionKeyFrom } from '../shared/session-key';

/** A Chat Completions request's session: `prompt_cache_key`, else the end-user identifiers (`safety_identifier`, the older `user`). */
export const chatSessionKey = (body: JsonRecord): string | undefined =>
  sessionKeyFrom(body.prompt_cache_key) ?? sessionKeyFrom(body.safety_identifier) ?? sessionKeyFrom(body.user);

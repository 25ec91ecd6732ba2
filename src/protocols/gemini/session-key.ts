import type { JsonRecord } from '../shared/json-guards';
import { sessionKeyFrom } from '../shared/session-key';

/**
 * Gemini requests name no session; one that uses an explicit context cache (`cachedContent`) exists
 * only where that cache was created, so the cache's name is its session.
 */
export const geminiSessionKey = (body: JsonRecord): string | undefined => sessionKeyFrom(body.cachedContent);

/**
 * Whether a presented key could be one this relay issued: KEY_PREFIX, then 32 to 64 characters of
 * base62 plus `-` and `_` (generated keys carry 40 base62 characters; the dev demo key and labelled
 * keys such as `demo-…` put a short tag first). Checked before hashing, caching or querying, so a
 * stream of megabyte-long or random-shaped strings costs one comparison and leaves no trace in memory.
 */
const KEY_BODY = /^[A-Za-z0-9_-]{32,64}$/;

export const isWellFormedKey = (key: string, prefix: string): boolean =>
  key.length <= prefix.length + 64 && key.startsWith(prefix) && KEY_BODY.test(key.slice(prefix.length));

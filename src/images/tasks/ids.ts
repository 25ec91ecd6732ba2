/** Task and file ids: 160 random (or derived) bits, so an id is as good as a capability. */
const hex = (bytes: Uint8Array): string => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

export const sha256Hex = async (text: string): Promise<string> =>
  hex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));

export const TASK_ID_PATTERN = /^media_[0-9a-f]{40}$/;
export const FILE_ID_PATTERN = /^file_[0-9a-f]{48}$/;

export const newTaskId = (): string => `media_${hex(crypto.getRandomValues(new Uint8Array(20)))}`;

/**
 * With an Idempotency-Key the task id is derived from (account, key): two racing submits compute the
 * same id, so they share one ledger charge (reference = task id) and one KV record, and KV's missing
 * compare-and-set cannot produce two tasks.
 */
export const idempotentTaskId = async (accountId: string, idempotencyKey: string): Promise<string> =>
  `media_${(await sha256Hex(`idempotency\n${accountId}\n${idempotencyKey}`)).slice(0, 40)}`;

export const newFileId = (): string => `file_${hex(crypto.getRandomValues(new Uint8Array(24)))}`;

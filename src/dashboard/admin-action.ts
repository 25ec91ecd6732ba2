import { toRelayError } from '../errors';

export type ActionResult<T> = { ok: true; value: T } | { ok: false; status: number; message: string };

/**
 * Runs one admin operation (src/admin/services) for a dashboard form. The page validates its input
 * with the admin API's own schema (parseAdminInput) inside the action, so a refusal reads the same
 * in both places; it comes back as its message, for the page's flash.
 */
export const runAdminAction = async <T>(action: () => Promise<T> | T): Promise<ActionResult<T>> => {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    const relayError = toRelayError(error);
    if (relayError.status >= 500) console.error(JSON.stringify({ message: 'dashboard admin action failed', error: String(error) }));
    return { ok: false, status: relayError.status, message: relayError.message };
  }
};

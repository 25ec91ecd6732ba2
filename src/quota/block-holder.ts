import type { AdmissionBlock } from './admission-block';
import { countedAdmissionId } from './admission-id';
import type { QuotaVerdict, QuotaWindows } from './verdict';
import type { WindowView } from './windows';

/**
 * The admission blocks this isolate holds, one per limiter (admission-block.ts). Taking from a block
 * is one synchronous step, so concurrent requests in the isolate never take the same admission.
 */
interface HeldBlock {
  block: AdmissionBlock;
  /** The verdict that brought the block: the windows as they were after the admission that got it. */
  base: QuotaVerdict;
  /** The limits the block was granted under; a request under other limits (a plan change) asks the limiter. */
  limitsKey: string;
  taken: number;
  /** Set when the block is given back or replaced: nothing more is taken from it. */
  closed: boolean;
}

const held = new Map<string, HeldBlock>();
/** Limiters this isolate has a block request in flight to (one at a time), settled when its answer is in. */
const asking = new Map<string, Promise<void>>();
const settleAsk = new Map<string, () => void>();

/** Whether a request of `limiterName` going to its limiter should ask for a block; pair a true with blockAsked(). */
export const mayAskForBlock = (limiterName: string): boolean => {
  if (asking.has(limiterName)) return false;
  asking.set(limiterName, new Promise<void>((resolve) => settleAsk.set(limiterName, resolve)));
  return true;
};

/** The ask is answered (a block held now, or none granted): requests waiting on it look again. */
export const blockAsked = (limiterName: string): void => {
  settleAsk.get(limiterName)?.();
  settleAsk.delete(limiterName);
  asking.delete(limiterName);
};

/**
 * For a limiter whose block this isolate has just used up while the next is being asked for: settles
 * when that answer is in, so the request takes from the new block instead of a round trip of its own.
 * Undefined when no block is held (the key is not hot here) or none is being asked for.
 */
export const blockOnItsWay = (limiterName: string): Promise<void> | undefined => (held.has(limiterName) ? asking.get(limiterName) : undefined);

/** The i-th admission after the base one, as a window shows it: one more used, one fewer remaining. */
const advanced = (view: WindowView, by: number): WindowView =>
  view.limit === null ? view : { ...view, used: view.used + by, remaining: Math.max(0, (view.remaining ?? 0) - by) };

const windowsAfter = (base: QuotaWindows, by: number): QuotaWindows => ({
  fiveHour: advanced(base.fiveHour, by),
  week: advanced(base.week, by),
  minute: advanced(base.minute, by),
  tokenMinute: base.tokenMinute,
  tokenDay: base.tokenDay,
});

/** An admission from the block this isolate holds for `limiterName`, or undefined when it has none to give. */
export const admitFromBlock = (limiterName: string, limitsKey: string, now: number): QuotaVerdict | undefined => {
  const entry = held.get(limiterName);
  if (entry === undefined || entry.closed || entry.limitsKey !== limitsKey || now >= entry.block.expiresAt || entry.taken >= entry.block.size) return undefined;
  entry.taken += 1;
  const { block, base } = entry;
  return {
    allowed: true,
    ...windowsAfter(base, entry.taken),
    retryAfterSeconds: 0,
    admissionId: block.counted === null ? crypto.randomUUID() : countedAdmissionId(block.counted),
    decidedAt: now,
  };
};

const closeAndCountUnused = (entry: HeldBlock): number => {
  if (entry.closed) return 0;
  entry.closed = true;
  return entry.block.size - entry.taken;
};

/**
 * Holds the block `verdict` brought for `limiterName`; resolves when the block has ended (its expiry),
 * after `giveBack` got what it left unused. A block it replaces is given back at once. Callers keep the
 * request alive until then (waitUntil).
 */
export const holdBlock = async (
  limiterName: string,
  limitsKey: string,
  verdict: QuotaVerdict,
  giveBack: (block: AdmissionBlock, unused: number) => Promise<unknown>,
): Promise<void> => {
  const { block } = verdict;
  if (block === undefined) return;
  const entry: HeldBlock = { block, base: verdict, limitsKey, taken: 0, closed: false };
  const replaced = held.get(limiterName);
  held.set(limiterName, entry);
  const returns: Promise<unknown>[] = [];
  if (replaced !== undefined) {
    const unused = closeAndCountUnused(replaced);
    if (unused > 0) returns.push(giveBack(replaced.block, unused));
  }
  // The block's times are on the callers' clock (`now` of the admissions); its lifetime is what counts here.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, block.expiresAt - verdict.decidedAt)));
  if (held.get(limiterName) === entry) held.delete(limiterName);
  const unused = closeAndCountUnused(entry);
  if (unused > 0) returns.push(giveBack(block, unused));
  await Promise.all(returns);
};

import type { CountedAdmission } from './admission-id';

/**
 * Admission blocks: for a key admitted faster than a configured rate (QUOTA_BLOCK_ABOVE, admissions
 * a second), the limiter answers an admission with a block of further admissions it has already
 * counted in the key's request windows, and the isolate that asked admits that many of its next
 * requests by itself (block-holder.ts), without a Durable Object round trip each. What keeps it exact:
 * - a block is counted before it is handed out, so the windows never admit more than their limit;
 * - it ends no later than the earliest end of a window it was counted in, so no admission from it
 *   lands in a window other than the one that counted it;
 * - a block takes at most a quarter of what the tightest window has left, and none is granted once
 *   that is under 2 × EDGE_SHARE: the last admissions before a window fills are decided one by one;
 * - the isolate gives back what it did not use when the block ends (at most BLOCK_MS later);
 *   an isolate that dies first loses at most its block, never admits too many.
 * Keys with a concurrency limit (each request needs its own lease) or token limits (decided per
 * request on tokens spent) get no blocks.
 */
export interface AdmissionBlock {
  id: string;
  /** Admissions counted for the block, beyond the request that got it. */
  size: number;
  /** The isolate admits from the block only before this instant (epoch ms, the limiter's `now` base). */
  expiresAt: number;
  /** The windows its admissions were counted in, for their ids (refunds give back there); null when uncounted (a minute-only key). */
  counted: CountedAdmission | null;
}

/** How long a block lives: what an isolate may hold unused, and how late a return can come. */
export const BLOCK_MS = 1_000;
const MIN_BLOCK = 2;
const MAX_BLOCK = 64;
/** A block takes at most 1/EDGE_SHARE of the tightest window's remaining admissions. */
const EDGE_SHARE = 4;
/** A block about this share of a second of the key's admissions: an isolate holds about as many as it can use soon. */
const BLOCK_SECONDS = 0.1;
/** A block shorter-lived than this is not worth handing out (a window ends sooner). */
const MIN_LIFETIME_MS = 50;

/**
 * Block size for a key admitted at `ratePerSecond` whose tightest request window has `remaining`
 * admissions left after this one; 0 when no block is due (rate under `above`, `above` 0 = off, or
 * too close to the window's edge).
 */
export const blockSizeFor = (ratePerSecond: number, above: number, remaining: number): number => {
  if (above <= 0 || ratePerSecond < above) return 0;
  const size = Math.min(MAX_BLOCK, Math.max(MIN_BLOCK, Math.floor(ratePerSecond * BLOCK_SECONDS)), Math.floor(remaining / EDGE_SHARE));
  return size >= MIN_BLOCK ? size : 0;
};

/** When a block granted at `now` ends: BLOCK_MS later, or at the earliest end of a window it counts in; null when that is too soon. */
export const blockExpiryFor = (now: number, windowEnds: readonly number[]): number | null => {
  const expiresAt = Math.min(now + BLOCK_MS, ...windowEnds);
  return expiresAt - now >= MIN_LIFETIME_MS ? expiresAt : null;
};

/**
 * Admissions a second, as the limiter sees them: the larger of the last whole second's count and the
 * current second's so far (a burst is seen within its first second). Times are the callers' `now`.
 */
export class AdmissionRate {
  private second = 0;
  private count = 0;
  private previous = 0;

  add(now: number, admissions = 1): void {
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      this.previous = second === this.second + 1 ? this.count : 0;
      this.second = second;
      this.count = 0;
    }
    this.count += admissions;
  }

  perSecond(now: number): number {
    const second = Math.floor(now / 1000);
    if (second === this.second) return Math.max(this.count, this.previous);
    return second === this.second + 1 ? this.count : 0;
  }
}

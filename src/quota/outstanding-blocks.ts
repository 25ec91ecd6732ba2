import type { WindowName } from './windows';

/** A block handed to an isolate: what it counted where, to give back what the isolate returns unused. */
export interface OutstandingBlock {
  size: number;
  expiresAt: number;
  /** The limiter's reset epoch when granted: a block from before a reset gives nothing back. */
  epoch: number;
  /** Each window it was counted in, with that window's start. */
  countedIn: [WindowName, number][];
}

/** How long past its end a block may still be given back (the isolate's return is on its way). */
const RETURN_GRACE_MS = 5_000;

/** The admission blocks a limiter has handed out and not had back; memory only (a restart keeps their counts, forgets their returns). */
export class OutstandingBlocks {
  private readonly blocks = new Map<string, OutstandingBlock>();

  add(id: string, block: OutstandingBlock, now: number): void {
    // Blocks whose isolate never gave them back (it died, or its return was lost): their admissions stay counted.
    for (const [oldId, old] of this.blocks) if (old.expiresAt + RETURN_GRACE_MS < now) this.blocks.delete(oldId);
    this.blocks.set(id, block);
  }

  /** The block, removed: it can be given back once. */
  take(id: string): OutstandingBlock | undefined {
    const block = this.blocks.get(id);
    this.blocks.delete(id);
    return block;
  }

  /** The latest end of a block still out, or null when none is. */
  outstandingUntil(now: number): number | null {
    let until: number | null = null;
    for (const block of this.blocks.values()) if (block.expiresAt > now && (until === null || block.expiresAt > until)) until = block.expiresAt;
    return until;
  }

  clear(): void {
    this.blocks.clear();
  }
}

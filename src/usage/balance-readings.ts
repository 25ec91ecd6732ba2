/**
 * A reservation nothing settled (the isolate serving the request died before its usage event was
 * queued) stops counting after this long; by then any event of the request is long written.
 */
export const STALE_HOLD_MS = 60 * 60 * 1000;

interface Reading {
  balanceMicros: number;
  /** When the read was sent: everything D1 committed before then is in it. */
  readAt: number;
}

interface OpenHold {
  createdAt: number;
}

/**
 * The account balance as AccountBalance sees it, read from D1 one read at a time. Reads are numbered
 * as they start (generations), so a caller can wait for one that started after it arrived; reads that
 * start one after another see D1 in order, so a newer reading never gives way to an older one. Each
 * read is one D1 batch (one snapshot): the balance, and which open holds have their usage event
 * folded into it (written, and at or below the fold's watermark: usage-fold.ts), which are then
 * handed to `settle` with the stale ones. An event written but not yet folded is not in the balance,
 * so its hold keeps counting until the fold charges it; freeing it earlier would free the money twice. A hold settled by D1 after the
 * snapshot still counts until the next read, which only ever under-states the money available.
 */
export class BalanceReadings {
  private reading: Reading | undefined;
  /** The holds the last reading looked up, and the fold's watermark they were found unsettled at. */
  private checked: { folded: number; requestIds: ReadonlySet<string> } | undefined;
  private started = 0;
  private completed = 0;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(
    private readonly db: D1Database,
    private readonly holds: ReadonlyMap<string, OpenHold>,
    private readonly settle: (requestIds: readonly string[]) => void,
  ) {}

  balanceMicros(): number {
    return this.reading?.balanceMicros ?? 0;
  }

  /** The generation of the next read to start: waiting for it means a reading taken after now. */
  nextGeneration(): number {
    return this.started + 1;
  }

  /** Waits until a read of at least this generation has been applied. */
  atLeast(accountId: string, generation: number): Promise<void> {
    if (this.completed >= generation) return Promise.resolve();
    if (this.running === undefined) return this.begin(accountId);
    if (this.started >= generation) return this.running;
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.begin(accountId);
      });
    return this.queued;
  }

  /**
   * Waits for a read when there is none or it is older than maxStaleMs (one already running will do);
   * past freshMs, refreshes it in the background.
   */
  async ensure(accountId: string, now: number, freshMs: number, maxStaleMs: number): Promise<void> {
    const age = this.reading === undefined ? Infinity : now - this.reading.readAt;
    if (age > maxStaleMs) return this.atLeast(accountId, this.completed + 1);
    if (age > freshMs && this.running === undefined) {
      this.begin(accountId).catch((error: unknown) => console.error(JSON.stringify({ message: 'balance refresh failed', accountId, error: String(error) })));
    }
  }

  /** The watermark at which every one of these holds was last found unsettled, or -1 when one is new. */
  private watermarkAllChecked(requestIds: readonly string[]): number {
    const checked = this.checked;
    return checked !== undefined && requestIds.every((requestId) => checked.requestIds.has(requestId)) ? checked.folded : -1;
  }

  private begin(accountId: string): Promise<void> {
    const generation = ++this.started;
    const running = this.read(accountId, generation).finally(() => {
      if (this.running === running) this.running = undefined;
    });
    this.running = running;
    return running;
  }

  private async read(accountId: string, generation: number): Promise<void> {
    const readAt = Date.now();
    const open = [...this.holds].map(([requestId, hold]) => [requestId, hold.createdAt]);
    const openIds = [...this.holds.keys()];
    const balanceQuery = this.db
      .prepare('SELECT balance_micros, (SELECT folded FROM usage_fold WHERE id = 1) AS folded FROM accounts WHERE id = ?1')
      .bind(accountId);
    // Holds the last reading found unsettled can only settle once the watermark moves: while it has
    // not and no new hold is open, the lookups are skipped (a busy account holds up to a fold interval of them).
    const settledQuery = this.db
      .prepare(
        // usage_events is keyed by (created_at, request_id): one key lookup per open hold.
        `SELECT k.value ->> 0 AS request_id FROM json_each(?1) k
         WHERE (SELECT folded FROM usage_fold WHERE id = 1) > ?2
           AND EXISTS (SELECT 1 FROM usage_events e WHERE e.created_at = k.value ->> 1 AND e.request_id = k.value ->> 0
             AND e.ingest <= (SELECT folded FROM usage_fold WHERE id = 1))`,
      )
      .bind(JSON.stringify(open), this.watermarkAllChecked(openIds));
    const [balance, settled] = await this.db.batch<{ balance_micros?: number; folded?: number; request_id?: string }>(
      open.length === 0 ? [balanceQuery] : [balanceQuery, settledQuery],
    );
    if (generation <= this.completed) return;
    this.completed = generation;
    this.reading = { balanceMicros: balance?.results[0]?.balance_micros ?? 0, readAt };
    const folded = balance?.results[0]?.folded;
    this.checked = folded === undefined ? undefined : { folded, requestIds: new Set(openIds) };
    const done = (settled?.results ?? []).flatMap((row) => (row.request_id === undefined ? [] : [row.request_id]));
    for (const [requestId, hold] of this.holds) if (hold.createdAt < readAt - STALE_HOLD_MS) done.push(requestId);
    this.settle(done);
  }
}

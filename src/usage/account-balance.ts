import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';
import { BalanceReadings } from './balance-readings';

/** A reading older than this is refreshed in the background while requests are answered from it. */
const BALANCE_FRESH_MS = 2_000;
/** A reading older than this is not used: the reservation waits for a new one. */
const BALANCE_MAX_STALE_MS = 30_000;

const SCHEMA = `CREATE TABLE IF NOT EXISTS hold (
  request_id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  amount_micros INTEGER NOT NULL
) WITHOUT ROWID`;

interface ReserveInput {
  accountId: string;
  requestId: string;
  /** The request's start: its usage event is stored under (created_at, request_id), which is how the hold finds it settled. */
  createdAt: number;
  /** The request's estimated maximum cost; 0 for a model without a price (nothing is held, the balance must still be above zero). */
  estimateMicros: number;
}

/** heldMicros: what was reserved (0 when nothing needed holding). refused: the money left once every open hold is counted. */
type ReserveOutcome = { heldMicros: number } | { refusedAvailableMicros: number };

interface BalanceStatus {
  /** The account's balance as D1's ledger says (settled charges only). */
  balanceMicros: number;
  /** Money reserved by requests whose usage events D1 has not folded into the balance yet. */
  heldMicros: number;
  openHolds: number;
}

interface Hold {
  createdAt: number;
  /** The reservation, or the request's cost once it ended. */
  amountMicros: number;
  /** What the hold row says: the first reservation, or a larger cost (a smaller cost is kept in memory only). */
  storedMicros: number;
}

/**
 * One prepaid account's open reservations, in one place so concurrent requests are serialised: each
 * reservation is decided by one synchronous run over the balance reading and the holds in memory, so
 * the balance is never promised twice. D1 stays the truth for the balance (the sum of the ledger, its
 * charges folded hourly per account from the usage events, usage-fold.ts); this object never writes D1.
 * It reads the balance and which of its holds D1 has settled (their usage events folded into that
 * balance: written, and at or below the fold's watermark) in one consistent snapshot, and counts a
 * hold only until then: an event written but not yet folded is not in the balance yet. Available money is
 * that balance less the open holds. Holds live in the object's own storage (a row each, written at
 * reservation, deleted at settlement), so a restarted object still counts them.
 */
export class AccountBalance extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly holds = new Map<string, Hold>();
  private readonly readings: BalanceReadings;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.readings = new BalanceReadings(env.DB, this.holds, (settled) => this.forget(settled));
    void ctx.blockConcurrencyWhile(async () => {
      this.sql.exec(SCHEMA);
      for (const row of this.sql.exec<{ request_id: string; created_at: number; amount_micros: number }>('SELECT * FROM hold')) {
        this.holds.set(row.request_id, { createdAt: row.created_at, amountMicros: row.amount_micros, storedMicros: row.amount_micros });
      }
    });
  }

  /**
   * Reserves min(estimate, available) for a request before its upstream is called, or refuses it when
   * nothing is available. A reading too old is refreshed first, and a refusal is only given on a
   * reading taken after the request arrived (a top-up just written counts).
   */
  async reserve(input: ReserveInput): Promise<ReserveOutcome> {
    const existing = this.holds.get(input.requestId);
    if (existing !== undefined) return { heldMicros: existing.amountMicros };
    const arrived = this.readings.nextGeneration();
    await this.readings.ensure(input.accountId, Date.now(), BALANCE_FRESH_MS, BALANCE_MAX_STALE_MS);
    if (this.available() <= 0) await this.readings.atLeast(input.accountId, arrived);
    // From here to the hold's write nothing awaits: this reservation and the next see each other.
    const available = this.available();
    if (available <= 0) return { refusedAvailableMicros: available };
    const held = Math.min(Math.max(0, Math.ceil(input.estimateMicros)), available);
    if (held === 0) return { heldMicros: 0 };
    this.sql.exec('INSERT OR IGNORE INTO hold (request_id, created_at, amount_micros) VALUES (?, ?, ?)', input.requestId, input.createdAt, held);
    this.holds.set(input.requestId, { createdAt: input.createdAt, amountMicros: held, storedMicros: held });
    return { heldMicros: held };
  }

  /**
   * The request ended and its cost is known: the hold becomes that cost until D1 writes the charge, so
   * a small balance is free again at once instead of after the queue's flush. Only a cost above the
   * stored reservation is written (a restarted object then counts the larger figure, never less).
   */
  settleCost(input: { requestId: string; costMicros: number }): void {
    const hold = this.holds.get(input.requestId);
    if (hold === undefined) return;
    hold.amountMicros = Math.max(0, Math.ceil(input.costMicros));
    if (hold.amountMicros > hold.storedMicros) {
      this.sql.exec('UPDATE hold SET amount_micros = ? WHERE request_id = ?', hold.amountMicros, input.requestId);
      hold.storedMicros = hold.amountMicros;
    }
  }

  /** Returns a reservation at once, for a request that ends without a usage event. Idempotent. */
  release(input: { requestId: string }): void {
    if (this.holds.delete(input.requestId)) this.sql.exec('DELETE FROM hold WHERE request_id = ?', input.requestId);
  }

  /** The balance, from a reading taken after this call, and the holds still open. */
  async status(input: { accountId: string }): Promise<BalanceStatus> {
    await this.readings.atLeast(input.accountId, this.readings.nextGeneration());
    let heldMicros = 0;
    for (const hold of this.holds.values()) heldMicros += hold.amountMicros;
    return { balanceMicros: this.readings.balanceMicros(), heldMicros, openHolds: this.holds.size };
  }

  private available(): number {
    let available = this.readings.balanceMicros();
    for (const hold of this.holds.values()) available -= hold.amountMicros;
    return available;
  }

  /** Drops holds D1 has settled, or that are stale, from memory and storage in one transaction. */
  private forget(requestIds: readonly string[]): void {
    if (requestIds.length === 0) return;
    this.ctx.storage.transactionSync(() => {
      for (const requestId of requestIds) {
        if (this.holds.delete(requestId)) this.sql.exec('DELETE FROM hold WHERE request_id = ?', requestId);
      }
    });
  }
}

/**
 * The account's object. No locationHint: every call comes from a request of the account (reserve,
 * the cost at its end, a release), so the object is created near the account's first request, which
 * is where a hint taken from that request's continent would put it too.
 */
export const accountBalanceOf = (env: Env, accountId: string): DurableObjectStub<AccountBalance> =>
  env.ACCOUNT_BALANCE.get(env.ACCOUNT_BALANCE.idFromName(accountId));

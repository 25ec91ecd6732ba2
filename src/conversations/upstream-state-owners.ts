import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';

/** Expired rows deleted per alarm run: small enough that calls queued behind it barely wait. */
const SWEEP_CHUNK = 500;
/**
 * The sweep runs this long after the earliest expiry it waits for, so one run deletes about a day
 * of answers instead of one alarm per answer. A row past its expiry is never returned meanwhile.
 */
const SWEEP_SLACK_MS = 24 * 60 * 60 * 1000;

/**
 * Response ids and output item ids share the table: an upstream gives every id a type prefix
 * (`resp_`, `msg_`, `rs_`, …), and any id in it is this account's whichever kind names it.
 */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS owner (
    id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID`,
  'CREATE INDEX IF NOT EXISTS owner_expiry ON owner (expires_at)',
];

/** The ids come as one JSON array (one bound parameter, whatever their number). */
const UPSERT = `INSERT INTO owner (id, provider, expires_at)
  SELECT value, ?, ? FROM json_each(?) WHERE true
  ON CONFLICT (id) DO UPDATE SET provider = excluded.provider, expires_at = excluded.expires_at`;

const SELECT_LIVE = 'SELECT id, provider FROM owner WHERE id IN (SELECT value FROM json_each(?)) AND expires_at > ?';

const DELETE_EXPIRED_CHUNK = 'DELETE FROM owner WHERE id IN (SELECT id FROM owner WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)';

export interface OwnedId {
  id: string;
  provider: string;
}

/**
 * One account's records of the responses and output items Responses upstreams stored for it, and the
 * provider that stored each (see upstream-response-owners.ts): one row per id. An answer's ids are
 * written by one call in one statement; a request's ids are read by one call. Expired rows are
 * deleted by an alarm, a bounded chunk per run through the index on expires_at, never by a call.
 */
export class UpstreamStateOwners extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => {
      for (const statement of SCHEMA) this.sql.exec(statement);
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  /** Records `ids` (one answer's) as stored by `providerId` until `expiresAt` (epoch ms); an id recorded before is taken over. */
  record(providerId: string, ids: readonly string[], expiresAt: number): void {
    if (ids.length === 0) return;
    this.sql.exec(UPSERT, providerId, expiresAt, JSON.stringify(ids));
    this.scheduleSweep(expiresAt + SWEEP_SLACK_MS);
  }

  /** Those of `ids` this account owns, not expired, each with the provider that stored it. */
  owners(ids: readonly string[]): OwnedId[] {
    if (ids.length === 0) return [];
    return this.sql.exec<{ id: string; provider: string }>(SELECT_LIVE, JSON.stringify(ids), Date.now()).toArray();
  }

  /** Deletes one chunk of expired rows, then re-arms: at once while more have expired, else after the next expiry. */
  override alarm(): void {
    this.alarmAt = null;
    const now = Date.now();
    this.sql.exec(DELETE_EXPIRED_CHUNK, now, SWEEP_CHUNK);
    const [next] = this.sql.exec<{ expires_at: number }>('SELECT expires_at FROM owner ORDER BY expires_at LIMIT 1').toArray();
    if (next === undefined) return;
    this.scheduleSweep(next.expires_at <= now ? now : next.expires_at + SWEEP_SLACK_MS);
  }

  private scheduleSweep(at: number): void {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }
}

/** The account's object. No locationHint: every call comes from a request of the account, so it is created near the account's traffic. */
export const upstreamStateOwnersOf = (env: Env, accountId: string): DurableObjectStub<UpstreamStateOwners> =>
  env.UPSTREAM_STATE_OWNERS.get(env.UPSTREAM_STATE_OWNERS.idFromName(accountId));

import type { WindowName, WindowState } from './windows';
import { WINDOW_NAMES } from './windows';

/**
 * The QuotaLimiter's SQLite layout. One row (quota_state) holds every window and the reset epoch and is
 * written behind the admissions (see quota-limiter.ts). Admissions have no rows: an id says which
 * windows it was counted in (admission-id.ts). Rows exist only for what outlives a moment: a concurrency
 * lease still held when the state is next written, and a refund (so it gives back once). Both tables
 * are WITHOUT ROWID, so a row is one B-tree entry and no index entry is written beside it.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS quota_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    five_hour_start INTEGER, five_hour_count INTEGER NOT NULL DEFAULT 0,
    week_start INTEGER, week_count INTEGER NOT NULL DEFAULT 0,
    minute_start INTEGER, minute_count INTEGER NOT NULL DEFAULT 0,
    token_minute_start INTEGER, token_minute_count INTEGER NOT NULL DEFAULT 0,
    token_day_start INTEGER, token_day_count INTEGER NOT NULL DEFAULT 0,
    epoch INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE IF NOT EXISTS lease (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS refund (id TEXT PRIMARY KEY, five_hour_start INTEGER, week_start INTEGER) WITHOUT ROWID;
`;

const STATE_COLUMNS: Readonly<Record<WindowName, readonly [string, string]>> = {
  '5h': ['five_hour_start', 'five_hour_count'],
  week: ['week_start', 'week_count'],
  minute: ['minute_start', 'minute_count'],
  tokenMinute: ['token_minute_start', 'token_minute_count'],
  tokenDay: ['token_day_start', 'token_day_count'],
};

/** Columns later layouts added to quota_state, with their definitions. */
const ADDED_STATE_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['token_minute_start', 'INTEGER'],
  ['token_minute_count', 'INTEGER NOT NULL DEFAULT 0'],
  ['token_day_start', 'INTEGER'],
  ['token_day_count', 'INTEGER NOT NULL DEFAULT 0'],
  ['epoch', 'INTEGER NOT NULL DEFAULT 0'],
];

export type Windows = Record<WindowName, WindowState | null>;

export const noWindows = (): Windows => ({ '5h': null, week: null, minute: null, tokenMinute: null, tokenDay: null });

const isWindowName = (name: string): name is WindowName => (WINDOW_NAMES as readonly string[]).includes(name);

export interface StoredLimiter {
  windows: Windows;
  epoch: number;
  /** Leases that were held when the state was last written: admission id → expiry. */
  leases: Array<[string, number]>;
}

export const writeState = (sql: SqlStorage, windows: Windows, epoch: number): void => {
  const columns = WINDOW_NAMES.flatMap((name) => STATE_COLUMNS[name]);
  const values = WINDOW_NAMES.flatMap((name) => [windows[name]?.startedAt ?? null, windows[name]?.count ?? 0]);
  sql.exec(
    `INSERT INTO quota_state (id, ${columns.join(', ')}, epoch) VALUES (1, ${columns.map(() => '?').join(', ')}, ?)
     ON CONFLICT (id) DO UPDATE SET ${[...columns, 'epoch'].map((column) => `${column} = excluded.${column}`).join(', ')}`,
    ...values,
    epoch,
  );
};

/**
 * Objects stored by earlier layouts move into this one once, on first load: quota_state gains the token
 * windows and the epoch; a row per window (quota_window) becomes the state row; admission rows give up
 * their live leases to the lease table and go (their counts are already in the state row).
 */
const upgrade = (sql: SqlStorage): void => {
  const stateColumns = new Set(sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('quota_state')").toArray().map((row) => row.name));
  for (const [column, definition] of ADDED_STATE_COLUMNS) {
    if (!stateColumns.has(column)) sql.exec(`ALTER TABLE quota_state ADD COLUMN ${column} ${definition}`);
  }
  const tables = new Set(sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((row) => row.name));
  if (tables.has('quota_window')) {
    const windows = noWindows();
    for (const row of sql.exec<{ name: string; started_at: number; count: number }>('SELECT name, started_at, count FROM quota_window')) {
      if (isWindowName(row.name)) windows[row.name] = { startedAt: row.started_at, count: row.count };
    }
    writeState(sql, windows, 0);
    sql.exec('DROP TABLE quota_window');
  }
  if (tables.has('admission')) {
    const admissionColumns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('admission')").toArray();
    if (admissionColumns.some((column) => column.name === 'lease_expires_at')) {
      sql.exec('INSERT OR IGNORE INTO lease (id, expires_at) SELECT id, lease_expires_at FROM admission WHERE lease_expires_at IS NOT NULL');
    }
    sql.exec('DROP TABLE admission');
  }
};

export const openStorage = (sql: SqlStorage): StoredLimiter => {
  sql.exec(SCHEMA);
  upgrade(sql);
  const windows = noWindows();
  let epoch = 0;
  const state = sql.exec<Record<string, number | null>>('SELECT * FROM quota_state WHERE id = 1').toArray()[0];
  if (state !== undefined) {
    epoch = state.epoch ?? 0;
    for (const name of WINDOW_NAMES) {
      const [startColumn, countColumn] = STATE_COLUMNS[name];
      const startedAt = state[startColumn] ?? null;
      if (startedAt !== null) windows[name] = { startedAt, count: state[countColumn] ?? 0 };
    }
  }
  const leases = sql
    .exec<{ id: string; expires_at: number }>('SELECT id, expires_at FROM lease')
    .toArray()
    .map((row): [string, number] => [row.id, row.expires_at]);
  return { windows, epoch, leases };
};

export const storeLease = (sql: SqlStorage, id: string, expiresAt: number): void => {
  sql.exec('INSERT OR REPLACE INTO lease (id, expires_at) VALUES (?, ?)', id, expiresAt);
};

export const deleteLease = (sql: SqlStorage, id: string): void => {
  sql.exec('DELETE FROM lease WHERE id = ?', id);
};

/** Marks an admission refunded; false when it already was. */
export const recordRefund = (sql: SqlStorage, id: string, fiveHourStart: number | null, weekStart: number | null): boolean =>
  sql.exec('INSERT INTO refund (id, five_hour_start, week_start) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING', id, fiveHourStart, weekStart)
    .rowsWritten > 0;

export const clearRefunds = (sql: SqlStorage): void => {
  sql.exec('DELETE FROM refund');
};

/**
 * Deletes up to `chunk` rows that no longer matter: refunds of admissions counted in no window in force
 * (they could never be refunded again) and leases past their expiry. Returns how many it deleted.
 */
export const pruneChunk = (sql: SqlStorage, windows: Windows, now: number, chunk: number): number => {
  const refunds = sql.exec(
    `DELETE FROM refund WHERE id IN (
       SELECT id FROM refund
       WHERE (five_hour_start IS NULL OR five_hour_start IS NOT ?) AND (week_start IS NULL OR week_start IS NOT ?)
       LIMIT ?)`,
    windows['5h']?.startedAt ?? null,
    windows.week?.startedAt ?? null,
    chunk,
  ).rowsWritten;
  const leases = sql.exec('DELETE FROM lease WHERE id IN (SELECT id FROM lease WHERE expires_at <= ? LIMIT ?)', now, chunk).rowsWritten;
  return Math.max(refunds, leases);
};

import { getTableColumns } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from './client';
import { chunksOf, D1_MAX_BOUND_PARAMETERS } from './d1-limits';

type Statement = BatchItem<'sqlite'>;

/**
 * Rows per multi-row INSERT into `table`: drizzle binds one parameter per column per row (absent
 * values included), and `reserved` counts parameters the statement binds besides its rows (an
 * ON CONFLICT ... SET with values).
 */
const rowsPerInsert = (table: SQLiteTable, reserved = 0): number =>
  Math.max(1, Math.floor((D1_MAX_BOUND_PARAMETERS - reserved) / Object.keys(getTableColumns(table)).length));

/**
 * The INSERT statements for many rows, each under D1's parameter limit; `insert` builds one of them
 * (with its conflict clause). Run them in one db.batch, with the write's other statements, so the
 * whole write commits or none of it does.
 */
export const chunkedInsert = <Row>(table: SQLiteTable, rows: readonly Row[], insert: (chunk: Row[]) => Statement, reserved = 0): Statement[] =>
  chunksOf(rows, rowsPerInsert(table, reserved)).map(insert);

/** db.batch over a list built at run time (drizzle's batch wants a non-empty tuple); nothing to run, nothing sent. */
export const batchAll = async (db: Db, statements: readonly Statement[]): Promise<void> => {
  const [first, ...rest] = statements;
  if (first !== undefined) await db.batch([first, ...rest]);
};

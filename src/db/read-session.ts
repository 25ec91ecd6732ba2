/**
 * D1 read replication: a read that any recent state may answer goes through a session that lets the
 * nearest replica serve its first query ('first-unconstrained'), instead of D1's primary, which may be
 * on another continent. Writes and reads that must see the latest write use env.DB itself.
 */
export const readSessionOf = (db: D1Database): D1Database =>
  typeof db.withSession === 'function' ? (db.withSession('first-unconstrained') as unknown as D1Database) : db;

// The only module that imports better-sqlite3: opens the database file with
// the pragmas the host relies on (WAL, foreign keys, a busy timeout).

import BetterSqlite3 from "better-sqlite3";

export type Database = BetterSqlite3.Database;
export type Statement = BetterSqlite3.Statement;

export function openSqlite(file: string): Database {
  const db = new BetterSqlite3(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  return db;
}

/**
 * A read-only connection for users' queries (isopod sql) beside a running
 * host: WAL lets it read while the host writes; it can never write.
 */
export function openSqliteReadOnly(file: string): Database {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  db.pragma("query_only = ON");
  db.pragma("busy_timeout = 5000");
  return db;
}

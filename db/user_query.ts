// A user's SQL on the host's database (isopod sql): one read-only statement
// on a read-only connection; anything that would write is refused by name.

import { existsSync } from "node:fs";
import { openSqliteReadOnly } from "./sqlite.ts";

export interface QueryResult {
  columns: string[];
  rows: Record<string, unknown>[];
  /** True when the answer was cut at `maxRows`. */
  truncated: boolean;
}

export class QueryRefused extends Error {
  override name = "QueryRefused";
}

/** Runs `sql` on the database file; throws QueryRefused for a write, a second statement or bad SQL. */
export function runUserQuery(file: string, sql: string, options: { maxRows?: number } = {}): QueryResult {
  const maxRows = options.maxRows ?? 10_000;
  if (!existsSync(file)) throw new QueryRefused(`no database at ${file}: start a host there first (isopod serve), or set ISOPOD_DATA`);
  const db = openSqliteReadOnly(file);
  try {
    let statement;
    try {
      statement = db.prepare(sql);
    } catch (error) {
      throw new QueryRefused(`cannot run ${JSON.stringify(sql)}: ${(error as Error).message}`);
    }
    if (!statement.readonly) throw new QueryRefused(`isopod sql only reads: ${JSON.stringify(sql)} would change the database`);
    if (!statement.reader) throw new QueryRefused(`${JSON.stringify(sql)} returns no rows; give a SELECT (or a PRAGMA that reads)`);
    const columns = statement.columns().map((column) => column.name);
    const rows: Record<string, unknown>[] = [];
    for (const row of statement.iterate() as Iterable<Record<string, unknown>>) {
      if (rows.length === maxRows) return { columns, rows, truncated: true };
      rows.push(row);
    }
    return { columns, rows, truncated: false };
  } catch (error) {
    if (error instanceof QueryRefused) throw error;
    throw new QueryRefused(`query failed: ${(error as Error).message}`);
  } finally {
    db.close();
  }
}

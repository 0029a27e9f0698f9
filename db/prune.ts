// Retention for append-only tables: deletes the oldest rows past an age or
// a count, a chunk at a time, so one run never holds the database for long.

import type { Database } from "./sqlite.ts";

export interface PruneBound {
  /** Rows kept at most. */
  maxRows: number;
  /** Rows with a time before this (ms since the epoch) go; undefined: no age bound. */
  olderThan: number | undefined;
}

/** An append-only table with an integer `id` that grows with time, and a time column. */
export interface PrunableTable {
  table: "logs" | "operations" | "package_samples" | "resource_samples";
  time: "ts" | "at";
}

/** Deletes at most `chunk` of the oldest rows that are too old or past the count. Returns how many went. */
export function pruneTable(db: Database, { table, time }: PrunableTable, bound: PruneBound, chunk: number): number {
  if (bound.olderThan !== undefined) {
    const old = db
      .prepare(`DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ${time} < ? ORDER BY id LIMIT ?)`)
      .run(bound.olderThan, chunk).changes;
    if (old > 0) return old;
  }
  const cutoff = db.prepare(`SELECT id FROM ${table} ORDER BY id DESC LIMIT 1 OFFSET ?`).get(bound.maxRows) as
    | { id: number }
    | undefined;
  if (!cutoff) return 0;
  return db
    .prepare(`DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE id <= ? ORDER BY id LIMIT ?)`)
    .run(cutoff.id, chunk).changes;
}

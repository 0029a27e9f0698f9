// The audit log: every operation, who asked for it, with what, and how it ended.

import { pruneTable, type PruneBound } from "./prune.ts";
import type { Database } from "./sqlite.ts";

export interface OperationEntry {
  id: number;
  at: number;
  actor: string;
  operation: string;
  package: string | null;
  params: Record<string, unknown>;
  result: "ok" | "error";
  error: { code: string; message: string } | null;
  durationMs: number;
}

export type NewOperation = Omit<OperationEntry, "id">;

interface OperationRow {
  id: number;
  at: number;
  actor: string;
  operation: string;
  package: string | null;
  params: string;
  result: "ok" | "error";
  error_code: string | null;
  error_message: string | null;
  duration_ms: number;
}

export class OperationStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  record(entry: NewOperation): number {
    const info = this.#db
      .prepare(
        `INSERT INTO operations (at, actor, operation, package, params, result, error_code, error_message, duration_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        entry.at,
        entry.actor,
        entry.operation,
        entry.package,
        JSON.stringify(entry.params),
        entry.result,
        entry.error?.code ?? null,
        entry.error?.message ?? null,
        entry.durationMs,
      );
    return Number(info.lastInsertRowid);
  }

  /** Newest first; `before` pages back from an id. */
  list(options: { package?: string; limit?: number; before?: number } = {}): OperationEntry[] {
    const limit = Math.min(options.limit ?? 100, 1000);
    const rows = this.#db
      .prepare(
        `SELECT * FROM operations
         WHERE (@package IS NULL OR package = @package) AND (@before IS NULL OR id < @before)
         ORDER BY id DESC LIMIT @limit`,
      )
      .all({ package: options.package ?? null, before: options.before ?? null, limit }) as OperationRow[];
    return rows.map((row) => ({
      id: row.id,
      at: row.at,
      actor: row.actor,
      operation: row.operation,
      package: row.package,
      params: JSON.parse(row.params) as Record<string, unknown>,
      result: row.result,
      error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? "" },
      durationMs: row.duration_ms,
    }));
  }

  /** One step of retention: deletes at most `chunk` of the oldest entries past the bound. */
  prune(bound: PruneBound, chunk: number): number {
    return pruneTable(this.#db, { table: "operations", time: "at" }, bound, chunk);
  }

  count(): number {
    return (this.#db.prepare("SELECT count(*) AS n FROM operations").get() as { n: number }).n;
  }
}

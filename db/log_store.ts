// Captured console output per package, bounded: past the limit the oldest
// lines of that package are dropped.

import type { Database } from "./sqlite.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LogEntry {
  id: number;
  /** Milliseconds since the epoch. */
  ts: number;
  level: LogLevel;
  message: string;
}

/** Longest message kept; the rest is cut so one line cannot fill the disk. */
export const MAX_LOG_MESSAGE = 8_192;

export class LogStore {
  readonly #db: Database;
  readonly #limit: number;
  readonly #sinceTrim = new Map<string, number>();

  constructor(db: Database, limitPerPackage: number) {
    this.#db = db;
    this.#limit = limitPerPackage;
  }

  append(pkg: string, level: LogLevel, message: string, ts = Date.now()): LogEntry {
    const text = message.length > MAX_LOG_MESSAGE ? `${message.slice(0, MAX_LOG_MESSAGE)}… (truncated)` : message;
    const info = this.#db
      .prepare("INSERT INTO logs (package, ts, level, message) VALUES (?, ?, ?, ?)")
      .run(pkg, ts, level, text);
    // Trimming on every line would double the writes; every tenth of the limit is enough.
    const count = (this.#sinceTrim.get(pkg) ?? 0) + 1;
    if (count >= Math.max(1, Math.floor(this.#limit / 10))) {
      this.trim(pkg);
      this.#sinceTrim.set(pkg, 0);
    } else {
      this.#sinceTrim.set(pkg, count);
    }
    return { id: Number(info.lastInsertRowid), ts, level, message: text };
  }

  /** Drops all but the newest `limit` lines of a package. */
  trim(pkg: string): void {
    this.#db
      .prepare(
        `DELETE FROM logs WHERE package = @pkg AND id <= (
           SELECT id FROM logs WHERE package = @pkg ORDER BY id DESC LIMIT 1 OFFSET @limit)`,
      )
      .run({ pkg, limit: this.#limit });
  }

  /** The newest `tail` lines, oldest first. */
  tail(pkg: string, tail = 100): LogEntry[] {
    const rows = this.#db
      .prepare("SELECT id, ts, level, message FROM logs WHERE package = ? ORDER BY id DESC LIMIT ?")
      .all(pkg, Math.min(tail, this.#limit)) as LogEntry[];
    return rows.reverse();
  }
}

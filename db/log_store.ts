// Captured console output per package, bounded in lines and in bytes: past
// either limit the oldest lines of that package are dropped.

import { pruneTable, type PruneBound } from "./prune.ts";
import type { Database } from "./sqlite.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LogEntry {
  id: number;
  /** Milliseconds since the epoch. */
  ts: number;
  level: LogLevel;
  message: string;
}

export interface NewLogEntry {
  package: string;
  ts: number;
  level: LogLevel;
  message: string;
}

/** Longest message kept; the rest is cut so one line cannot fill the disk. */
export const MAX_LOG_MESSAGE = 8_192;

export interface LogLimits {
  /** Lines kept per package. */
  lines: number;
  /** Bytes of message text (UTF-8) kept per package. */
  bytes: number;
}

/** Lines written to one package since its last trim, so trimming runs every tenth of a limit, not on every line. */
interface Written {
  lines: number;
  bytes: number;
}

export function cutMessage(message: string): string {
  return message.length > MAX_LOG_MESSAGE ? `${message.slice(0, MAX_LOG_MESSAGE)}… (truncated)` : message;
}

export class LogStore {
  readonly #db: Database;
  readonly #limits: LogLimits;
  readonly #sinceTrim = new Map<string, Written>();

  constructor(db: Database, limits: LogLimits) {
    this.#db = db;
    this.#limits = limits;
  }

  append(pkg: string, level: LogLevel, message: string, ts = Date.now()): LogEntry {
    return this.appendMany([{ package: pkg, level, message, ts }])[0]!;
  }

  /** Appends lines in one transaction (far cheaper than one each) and trims the packages that grew. */
  appendMany(entries: readonly NewLogEntry[]): LogEntry[] {
    const insert = this.#db.prepare("INSERT INTO logs (package, ts, level, message) VALUES (?, ?, ?, ?)");
    return this.#db.transaction(() => {
      const stored = entries.map((entry) => {
        const text = cutMessage(entry.message);
        const info = insert.run(entry.package, entry.ts, entry.level, text);
        this.#noteWritten(entry.package, text);
        return { id: Number(info.lastInsertRowid), ts: entry.ts, level: entry.level, message: text };
      });
      for (const pkg of new Set(entries.map((entry) => entry.package))) this.#trimIfDue(pkg);
      return stored;
    })();
  }

  #noteWritten(pkg: string, text: string): void {
    const written = this.#sinceTrim.get(pkg) ?? { lines: 0, bytes: 0 };
    written.lines += 1;
    written.bytes += Buffer.byteLength(text);
    this.#sinceTrim.set(pkg, written);
  }

  #trimIfDue(pkg: string): void {
    const written = this.#sinceTrim.get(pkg);
    if (!written) return;
    const lineStep = Math.max(1, Math.floor(this.#limits.lines / 10));
    const byteStep = Math.max(1, Math.floor(this.#limits.bytes / 10));
    if (written.lines < lineStep && written.bytes < byteStep) return;
    this.trim(pkg);
    this.#sinceTrim.delete(pkg);
  }

  /** Drops all but the newest lines of a package that fit both its line and byte limits. */
  trim(pkg: string): void {
    this.#db
      .prepare(
        `DELETE FROM logs WHERE package = @pkg AND id <= (
           SELECT id FROM logs WHERE package = @pkg ORDER BY id DESC LIMIT 1 OFFSET @limit)`,
      )
      .run({ pkg, limit: this.#limits.lines });
    // The newest line whose running total (newest first) passes the byte limit, and all older ones, go.
    this.#db
      .prepare(
        `DELETE FROM logs WHERE package = @pkg AND id <= (
           SELECT id FROM (
             SELECT id, SUM(octet_length(message)) OVER (ORDER BY id DESC) AS total
             FROM logs WHERE package = @pkg)
           WHERE total > @bytes ORDER BY id DESC LIMIT 1)`,
      )
      .run({ pkg, bytes: this.#limits.bytes });
  }

  /** The newest `tail` lines, oldest first. */
  tail(pkg: string, tail = 100): LogEntry[] {
    const rows = this.#db
      .prepare("SELECT id, ts, level, message FROM logs WHERE package = ? ORDER BY id DESC LIMIT ?")
      .all(pkg, Math.min(tail, this.#limits.lines)) as LogEntry[];
    return rows.reverse();
  }

  /** Lines after the one with id `afterId`, oldest first, at most `limit` of them (the newest). */
  since(pkg: string, afterId: number, limit: number): LogEntry[] {
    const rows = this.#db
      .prepare("SELECT id, ts, level, message FROM logs WHERE package = ? AND id > ? ORDER BY id DESC LIMIT ?")
      .all(pkg, afterId, Math.min(limit, this.#limits.lines)) as LogEntry[];
    return rows.reverse();
  }

  /** Lines and bytes of message text kept, over all packages or for one. */
  size(pkg?: string): { lines: number; bytes: number } {
    const row = this.#db
      .prepare(
        `SELECT count(*) AS lines, coalesce(SUM(octet_length(message)), 0) AS bytes FROM logs
         WHERE @pkg IS NULL OR package = @pkg`,
      )
      .get({ pkg: pkg ?? null }) as { lines: number; bytes: number };
    return row;
  }

  /**
   * One step of retention over all packages: deletes at most `chunk` of the
   * oldest lines that are past the age, count or byte bound. Returns how many went.
   */
  prune(bound: PruneBound & { maxBytes: number }, chunk: number): number {
    const deleted = pruneTable(this.#db, { table: "logs", time: "ts" }, bound, chunk);
    if (deleted > 0) return deleted;
    const cutoff = this.#db
      .prepare(
        `SELECT id FROM (
           SELECT id, SUM(octet_length(message)) OVER (ORDER BY id DESC) AS total FROM logs)
         WHERE total > ? ORDER BY id DESC LIMIT 1`,
      )
      .get(bound.maxBytes) as { id: number } | undefined;
    if (!cutoff) return 0;
    return this.#db
      .prepare("DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE id <= ? ORDER BY id LIMIT ?)")
      .run(cutoff.id, chunk).changes;
  }
}

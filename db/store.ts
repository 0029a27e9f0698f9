// The host's state in one SQLite file: opens it, migrates it, and hands out
// one store per concept.

import { openSqlite, type Database } from "./sqlite.ts";
import { migrate } from "./migrations.ts";
import { PackageStore } from "./package_store.ts";
import { OperationStore } from "./operation_store.ts";
import { TokenStore } from "./token_store.ts";
import { LogStore, type LogLimits } from "./log_store.ts";
import { StatsStore } from "./stats_store.ts";

export class Store {
  readonly db: Database;
  readonly packages: PackageStore;
  readonly operations: OperationStore;
  readonly tokens: TokenStore;
  readonly logs: LogStore;
  readonly stats: StatsStore;

  /** `logBytesPerPackage` defaults to no byte bound (only lines). */
  constructor(file: string, options: { logLinesPerPackage: number; logBytesPerPackage?: number }) {
    this.db = openSqlite(file);
    migrate(this.db);
    this.packages = new PackageStore(this.db);
    this.operations = new OperationStore(this.db);
    this.tokens = new TokenStore(this.db);
    const limits: LogLimits = {
      lines: options.logLinesPerPackage,
      bytes: options.logBytesPerPackage ?? Number.MAX_SAFE_INTEGER,
    };
    this.logs = new LogStore(this.db, limits);
    this.stats = new StatsStore(this.db);
  }

  /** Runs `work` in one transaction: all of its writes land, or none. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  /** Hands the write-ahead log's freed pages back to the file system, so it does not stay at its largest. */
  checkpoint(): void {
    this.db.pragma("wal_checkpoint(TRUNCATE)");
  }

  /** Throws when the database cannot answer a query: the readiness check. */
  ping(): void {
    this.db.prepare("SELECT 1").get();
  }

  /** Rows in the audit log and in the captured logs: what the control pipe's `stat col` shows. */
  counts(): { operations: number; logs: number } {
    const count = (table: "operations" | "logs"): number =>
      (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { operations: count("operations"), logs: count("logs") };
  }

  close(): void {
    this.db.close();
  }
}

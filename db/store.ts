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

  close(): void {
    this.db.close();
  }
}

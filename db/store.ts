// The host's state in one SQLite file: opens it, migrates it, and hands out
// one store per concept.

import { openSqlite, type Database } from "./sqlite.ts";
import { migrate } from "./migrations.ts";
import { PackageStore } from "./package_store.ts";
import { OperationStore } from "./operation_store.ts";
import { TokenStore } from "./token_store.ts";
import { LogStore } from "./log_store.ts";

export class Store {
  readonly db: Database;
  readonly packages: PackageStore;
  readonly operations: OperationStore;
  readonly tokens: TokenStore;
  readonly logs: LogStore;

  constructor(file: string, options: { logLinesPerPackage: number }) {
    this.db = openSqlite(file);
    migrate(this.db);
    this.packages = new PackageStore(this.db);
    this.operations = new OperationStore(this.db);
    this.tokens = new TokenStore(this.db);
    this.logs = new LogStore(this.db, options.logLinesPerPackage);
  }

  close(): void {
    this.db.close();
  }
}

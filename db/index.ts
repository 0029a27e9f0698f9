// db/: SQLite state. Everything the rest of the host needs from here, by name.

export { Store } from "./store.ts";
export type { DesiredState, PackageError, PackageRecord, PackageSource, PackageState } from "./package_store.ts";
export type { NewOperation, OperationEntry } from "./operation_store.ts";
export type { Role, TokenRecord } from "./token_store.ts";
export type { LogEntry, LogLevel } from "./log_store.ts";

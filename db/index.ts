// db/: SQLite state. Everything the rest of the host needs from here, by name.

export { Store } from "./store.ts";
export type { DesiredState, PackageError, PackageRecord, PackageSource, PackageState } from "./package_store.ts";
export type { ResolvedDependency } from "./resolution_rows.ts";
export type { NewOperation, OperationEntry } from "./operation_store.ts";
export type { Role, TokenRecord } from "./token_store.ts";
export type { LogEntry, LogLevel, NewLogEntry } from "./log_store.ts";
export type { PackageSample, ResourceSample, SampleQuery } from "./stats_store.ts";
export type { PruneBound } from "./prune.ts";
export { QueryRefused, runUserQuery, type QueryResult } from "./user_query.ts";
export { USER_VIEWS } from "./user_views.ts";

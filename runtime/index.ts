// runtime/: the host itself. The doors (api/, cli/ and the others) use the
// host through these names only, never a module inside runtime/, sandbox/ or db/.

export { Host } from "./host.ts";
export { configFromEnv, type HostConfig } from "./config.ts";
export { badRequest, invalidPackage, IsopodError, messageOf, notFound, type ErrorCode } from "./errors.ts";
export { readManifest } from "./packages/manifest.ts";
export { withProgress, type ProgressListener } from "./progress.ts";
export { requestFailureError } from "./sandbox_failures.ts";
export type { FleetStatus, FleetView } from "./fleet/index.ts";
export { Audit, HOST_ACTOR, type Actor } from "./lifecycle/audit.ts";
export type { BatchReport, BatchResult } from "./lifecycle/batch.ts";
export type { AddRequest } from "./lifecycle/package_manager.ts";
export type { LifecycleOperations } from "./lifecycle/operations.ts";
export type { LogHub } from "./observe/log_hub.ts";
export type { StatsSnapshot } from "./observe/stats_collector.ts";
export type { Principal, TokenService } from "./tokens.ts";
export { viewOf, type PackageView } from "./views/package_view.ts";
export { resourceViewsOf } from "./views/resource_view.ts";
export type { LogEntry, OperationEntry, PackageRecord } from "../db/index.ts";
export type { ChunkSource, SandboxResponse } from "../sandbox/index.ts";
export { QueryRefused, runUserQuery } from "../db/index.ts";
export { decodeMsgpack, encodeMsgpack } from "./formats/msgpack.ts";
export { addRequestOf, addRequestSchema } from "./lifecycle/add_request.ts";
export { ACTOR_METHODS, callActor, isActorMethod, isReadMethod, packageAddSchema, packageNameSchema, packagesListSchema, type ActorMethod } from "./actor/index.ts";
export type { OperationStore } from "../db/operation_store.ts";
export { checkHead, responseOf, RETRY_AFTER_SECONDS, splitPkgPath, writeAnswer } from "../sandbox/index.ts";

// sandbox/: isolates and what runs in them. The runtime uses only these names.

export type {
  ChunkSource,
  DroppedLogEvent,
  ExitEvent,
  FailureReason,
  HookName,
  IsolateSpec,
  IsolateStats,
  LogEvent,
  RequestsEvent,
  ResourceInfo,
  Sandbox,
  SandboxEvent,
  SandboxRequest,
  SandboxResponse,
} from "./sandbox.ts";
export type { HeaderList } from "./isolate/core/bridge.ts";
export { SandboxFailure } from "./failure.ts";
export { LocalSandbox, type LocalSandboxOptions } from "./local_sandbox.ts";
export { checkHead, decodePkgName, responseOf, RETRY_AFTER_SECONDS, splitPkgPath, writeAnswer, type DataPlaneAddress } from "./dataplane/index.ts";
export {
  ProcessSandbox,
  type ProcessSandboxOptions,
  type ProcessSandboxStatus,
  type SupervisionEvent,
} from "./process/process_sandbox.ts";
export { SandboxPool, type SandboxPoolStatus } from "./process/sandbox_pool.ts";
export {
  effectivePermissions,
  emptyPermissionSet,
  permissionSetOf,
  type PermissionName,
  type PermissionSet,
} from "./permissions/permissions.ts";

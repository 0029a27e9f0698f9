// sandbox/: isolates and what runs in them. The runtime uses only these names.

export type {
  ExitEvent,
  FailureReason,
  HookName,
  IsolateSpec,
  IsolateStats,
  LogEvent,
  Sandbox,
  SandboxEvent,
} from "./sandbox.ts";
export { SandboxFailure } from "./failure.ts";
export { LocalSandbox } from "./local_sandbox.ts";
export {
  effectivePermissions,
  emptyPermissionSet,
  permissionSetOf,
  type PermissionName,
  type PermissionSet,
} from "./permissions.ts";

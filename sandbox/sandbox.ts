// The boundary between the runtime and the isolates: plain, serializable
// requests and events only, so the isolates can move to another process.

import type { PermissionSet } from "./permissions.ts";

export type HookName = "install" | "start" | "stop" | "uninstall";

/** Why an isolate call failed or an isolate ended, as the host reports it. */
export type FailureReason =
  | "uncaught-error"
  | "wall-time"
  | "cpu-time"
  | "memory"
  | "invalid-module"
  | "disposed";

/** Everything needed to bring up one package's isolate. */
export interface IsolateSpec {
  /** Unique per isolate, so events of a disposed one are never mistaken for its successor's. */
  instanceId: string;
  packageName: string;
  version: string;
  /** The bundled entry module: one ES module with no imports. */
  code: string;
  memoryMb: number;
  /** Wall time per hook, timer callback and request. */
  timeoutMs: number;
  config: Record<string, unknown>;
  env: Record<string, string>;
  permissions: PermissionSet;
  /** The package's root folder, and its data folder (seen as `./data`). */
  root: string;
  dataDir: string;
}

export interface LogEvent {
  type: "log";
  instanceId: string;
  packageName: string;
  level: "debug" | "info" | "warn" | "error";
  message: string;
  ts: number;
}

/** An isolate ended on its own (uncaught error in a timer, memory), not by `dispose`. */
export interface ExitEvent {
  type: "exit";
  instanceId: string;
  packageName: string;
  reason: FailureReason;
  message: string;
}

export type SandboxEvent = LogEvent | ExitEvent;

export interface Sandbox {
  /** Creates the isolate and evaluates the module; rejects with a SandboxFailure. */
  load(spec: IsolateSpec): Promise<void>;
  /** Runs one hook of the default export under the spec's wall-time limit. A missing hook succeeds. */
  hook(instanceId: string, hook: HookName): Promise<void>;
  /** Ends the isolate; in-flight calls reject with reason `disposed`. Never throws. */
  dispose(instanceId: string): Promise<void>;
  /** Listens to logs and exits of every isolate. */
  onEvent(listener: (event: SandboxEvent) => void): void;
  /** Disposes everything. */
  close(): Promise<void>;
}

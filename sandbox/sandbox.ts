// The boundary between the runtime and the isolates: plain, serializable
// requests and events only, so the isolates can move to another process.

import type { HeaderList, RequestHead } from "./isolate/core/bridge.ts";
import type { PermissionSet } from "./permissions/permissions.ts";

export type HookName = "install" | "start" | "stop" | "uninstall";

/** Why an isolate call failed or an isolate ended, as the host reports it. */
export type FailureReason =
  | "uncaught-error"
  | "wall-time"
  | "cpu-time"
  | "memory"
  | "invalid-module"
  | "disposed"
  /** The package's `fetch` threw, returned something that is not a Response, or is missing. */
  | "handler-error"
  | "no-handler"
  /** The sandbox process the isolate ran in exited (killed, V8 fatal error, out of memory). */
  | "sandbox-crash";

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
  /** CPU time per hook, timer callback and request; past it the isolate is ended (`cpu-time`). */
  cpuMs: number;
  config: Record<string, unknown>;
  env: Record<string, string>;
  permissions: PermissionSet;
  /** The package's root folder, and its data folder (seen as `./data`). */
  root: string;
  dataDir: string;
  /** Packages whose registry resources it may use: its `isopod.dependencies`. None when absent. */
  dependencies?: readonly string[];
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

/** Console lines of an isolate dropped before they reached the host: the sandbox process's channel was backed up. */
export interface DroppedLogEvent {
  type: "dropped";
  instanceId: string;
  packageName: string;
  lines: number;
  bytes: number;
}

/** `/pkg` requests the data plane answered since the last batch: `[package, status, count]`. */
export interface RequestsEvent {
  type: "requests";
  counts: [string, number, number][];
}

export type SandboxEvent = LogEvent | ExitEvent | DroppedLogEvent | RequestsEvent;

/** A body crossing the boundary: pulled one chunk at a time (null at the end), so both sides stay bounded. */
export interface ChunkSource {
  read(): Promise<Uint8Array | null>;
  cancel(reason?: string): void;
}

/**
 * What the sandbox needs of a request's abort signal. Node's AbortSignal is
 * one; the data plane passes a lighter one (dataplane/client_gone.ts): an
 * AbortSignal with a listener added and removed costs ~0.9 µs per request.
 */
export interface AbortSource {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** An HTTP request for a package: a plain head, and its body (if any) as a chunk source. */
export interface SandboxRequest {
  head: Omit<RequestHead, "bodyId">;
  body: ChunkSource | null;
  /** Aborted when the client goes away; the package sees it as `request.signal`. */
  signal?: AbortSource;
}

/** What the package answered: a plain head, and its body: none, bytes known up front, or a chunk source. */
export interface SandboxResponse {
  status: number;
  statusText: string;
  headers: HeaderList;
  body: null | Uint8Array | ChunkSource;
}

/** What one live isolate uses (`GET /v1/isolates`). Plain numbers, so it can cross a process boundary. */
export interface IsolateStats {
  instanceId: string;
  packageName: string;
  /** CPU time the isolate's thread spent running its code, in ms (isolated-vm `cpuTime`). */
  cpuMs: number;
  /** Wall time the isolate spent running code (busy time, not its age), in ms (isolated-vm `wallTime`). */
  wallMs: number;
  /** V8 heap in use, allocated, and the isolate's limit, in bytes. */
  heapUsedBytes: number;
  heapTotalBytes: number;
  heapLimitBytes: number;
  /** Memory outside the V8 heap that counts against the limit (array buffers, copies), in bytes. */
  externalBytes: number;
  /** When the heap figures were read (ms since the epoch): a busy isolate is not waited for, its last figures stand. */
  heapAt: number;
  /** When the isolate was created, ms since the epoch. */
  createdAt: number;
}

/** One resource of the registry (`GET /v1/resources`, `list res`). Plain data, so it can cross a process boundary. */
export interface ResourceInfo {
  /** `<package>/<name>`. */
  resource: string;
  /** The package that provides it. */
  provider: string;
  name: string;
  methods: string[];
  /** When it was provided, ms since the epoch. */
  providedAt: number;
  /** Calls since the sandbox started (kept across the provider's restarts); `errors` includes `timeouts`. */
  calls: number;
  errors: number;
  timeouts: number;
  /** Latency percentiles of the latest calls, in ms; null before the first call. */
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface Sandbox {
  /** Creates the isolate and evaluates the module; rejects with a SandboxFailure. */
  load(spec: IsolateSpec): Promise<void>;
  /** Runs one hook of the default export under the spec's wall-time limit. A missing hook succeeds. */
  hook(instanceId: string, hook: HookName): Promise<void>;
  /**
   * Sends a request to the package's `fetch(request, info)`. Rejects with a SandboxFailure:
   * `handler-error` / `no-handler` for the package's own failure, `wall-time` when no
   * response came within the spec's timeout (the isolate keeps running), `memory` etc.
   * when the isolate ended.
   */
  request(instanceId: string, request: SandboxRequest): Promise<SandboxResponse>;
  /** Ends the isolate; in-flight calls reject with reason `disposed`. Never throws. */
  dispose(instanceId: string): Promise<void>;
  /** Listens to logs and exits of every isolate. */
  onEvent(listener: (event: SandboxEvent) => void): void;
  /** What every live isolate uses. Never waits long on a busy isolate. */
  stats(): Promise<IsolateStats[]>;
  /** Every registry resource provided now, with its counters. */
  resources(): Promise<ResourceInfo[]>;
  /** Disposes everything. */
  close(): Promise<void>;
  /** Data plane (where there is one): points a package's `/pkg` traffic at an isolate, or (null) refuses it with 503. */
  route?(packageName: string, instanceId: string | null): Promise<void>;
  /** Data plane: resolves once the isolate has no request in flight there, or after `ms`. */
  settled?(instanceId: string, ms: number): Promise<void>;
}

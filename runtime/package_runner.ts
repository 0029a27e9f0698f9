// Runs packages in the sandbox: builds each isolate's spec from its record,
// keeps which isolate serves which package, and reports isolates that die.

import type { PackageRecord } from "../db/index.ts";
import type {
  FailureReason,
  HookName,
  IsolateSpec,
  PermissionSet,
  Sandbox,
  SandboxRequest,
  SandboxResponse,
} from "../sandbox/index.ts";
import { IsopodError } from "./errors.ts";
import type { LimitCaps } from "./config.ts";
import type { DataLayout } from "./layout.ts";
import { manifestOf } from "./package_view.ts";

export type ExitHandler = (name: string, reason: FailureReason, message: string) => void;

export class PackageRunner {
  readonly #sandbox: Sandbox;
  readonly #caps: LimitCaps;
  readonly #layout: DataLayout;
  readonly #running = new Map<string, string>();
  #nextInstance = 0;
  #onExit: ExitHandler = () => {};

  constructor(sandbox: Sandbox, caps: LimitCaps, layout: DataLayout) {
    this.#sandbox = sandbox;
    this.#caps = caps;
    this.#layout = layout;
    sandbox.onEvent((event) => {
      if (event.type !== "exit" || this.#running.get(event.packageName) !== event.instanceId) return;
      this.#running.delete(event.packageName);
      this.#onExit(event.packageName, event.reason, event.message);
    });
  }

  /** Called when a running package's isolate ends by itself. */
  onExit(handler: ExitHandler): void {
    this.#onExit = handler;
  }

  /** The isolate spec for a record: its limits capped by the host. */
  specOf(record: PackageRecord, code: string): IsolateSpec {
    const { limits } = manifestOf(record);
    return {
      instanceId: `${record.name}#${++this.#nextInstance}`,
      packageName: record.name,
      version: record.version,
      code,
      memoryMb: Math.min(limits.memoryMb ?? this.#caps.defaultMemoryMb, this.#caps.maxMemoryMb),
      timeoutMs: Math.min(limits.timeoutMs ?? this.#caps.defaultTimeoutMs, this.#caps.maxTimeoutMs),
      config: record.config,
      env: record.env,
      permissions: JSON.parse(record.granted) as PermissionSet,
      root: record.folder,
      dataDir: this.#layout.dataDir(record.name),
    };
  }

  /** Loads the package and runs `start`; on failure nothing is left running. */
  async start(record: PackageRecord, code: string): Promise<void> {
    const spec = this.specOf(record, code);
    await this.#sandbox.load(spec);
    try {
      await this.#sandbox.hook(spec.instanceId, "start");
    } catch (error) {
      await this.#sandbox.dispose(spec.instanceId);
      throw error;
    }
    this.#running.set(record.name, spec.instanceId);
  }

  /** Runs `stop` (its failure is returned, not thrown) and ends the isolate. */
  async stop(name: string): Promise<unknown> {
    const instanceId = this.#running.get(name);
    if (instanceId === undefined) return undefined;
    this.#running.delete(name);
    try {
      await this.#sandbox.hook(instanceId, "stop");
      return undefined;
    } catch (error) {
      return error;
    } finally {
      await this.#sandbox.dispose(instanceId);
    }
  }

  /** Loads the package in a fresh isolate just to run one hook (install, uninstall). */
  async runOnce(record: PackageRecord, code: string, hook: HookName): Promise<void> {
    const spec = this.specOf(record, code);
    await this.#sandbox.load(spec);
    try {
      await this.#sandbox.hook(spec.instanceId, hook);
    } finally {
      await this.#sandbox.dispose(spec.instanceId);
    }
  }

  /** Sends an HTTP request to a running package's `fetch` handler. */
  async forward(name: string, request: SandboxRequest): Promise<SandboxResponse> {
    const instanceId = this.#running.get(name);
    if (instanceId === undefined) throw new IsopodError("not_running", `package "${name}" is not running`);
    return this.#sandbox.request(instanceId, request);
  }

  isRunning(name: string): boolean {
    return this.#running.has(name);
  }

  get runningCount(): number {
    return this.#running.size;
  }
}

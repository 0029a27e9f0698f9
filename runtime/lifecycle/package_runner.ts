// Runs packages in the sandbox: builds each isolate's spec from its record,
// keeps which isolate serves which package, and reports isolates that die.

import type { PackageRecord } from "../../db/index.ts";
import {
  SandboxFailure,
  type FailureReason,
  type ExitEvent,
  type HookName,
  type IsolateSpec,
  type Sandbox,
  type SandboxRequest,
  type SandboxResponse,
} from "../../sandbox/index.ts";
import { IsopodError } from "../errors.ts";
import type { LimitCaps } from "../config.ts";
import { DeadlineError, withDeadline } from "../../common/deadline.ts";
import { InFlight } from "./in_flight.ts";
import type { DataLayout } from "../layout.ts";

export type ExitHandler = (name: string, reason: FailureReason, message: string) => void;

/**
 * How much longer than a package's own limits the host waits for the sandbox
 * itself. The sandbox enforces the limits; this bound is for a sandbox that
 * does not answer at all, so that no lock is held forever.
 */
export const SANDBOX_GRACE_MS = 2_000;

export interface RunnerOptions {
  /** How long a stop waits for the package's requests in flight before it goes on. Default 5000. */
  graceMs?: number;
}

export class PackageRunner {
  readonly #sandbox: Sandbox;
  readonly #caps: LimitCaps;
  readonly #layout: DataLayout;
  readonly #graceMs: number;
  readonly #running = new Map<string, IsolateSpec>();
  /** Packages being stopped: still running, but taking no new requests while those in flight finish. */
  readonly #draining = new Set<string>();
  readonly #inFlight = new InFlight();
  /**
   * An install's isolate kept for the start that follows it in the same add
   * (`runOnce` with `keep`): a second isolate created after one was disposed
   * costs ~0.5 MiB of resident memory for good (docs/decisions.md, "Memory per package, round two").
   */
  readonly #kept = new Map<string, IsolateSpec>();
  /**
   * Isolates between their `start` hook and being marked running, by instance,
   * with their exit if they ended meanwhile: reported once they are running
   * (a timer that throws right after `start` would otherwise go unseen).
   */
  readonly #starting = new Map<string, ExitEvent | null>();
  #nextInstance = 0;
  #onExit: ExitHandler = () => {};

  constructor(sandbox: Sandbox, caps: LimitCaps, layout: DataLayout, options: RunnerOptions = {}) {
    this.#sandbox = sandbox;
    this.#caps = caps;
    this.#layout = layout;
    this.#graceMs = options.graceMs ?? 5_000;
    sandbox.onEvent((event) => {
      if (event.type !== "exit") return;
      if (this.#kept.get(event.packageName)?.instanceId === event.instanceId) this.#kept.delete(event.packageName);
      if (this.#starting.has(event.instanceId)) this.#starting.set(event.instanceId, event);
      else this.#exited(event);
    });
  }

  #exited(event: ExitEvent): void {
    if (this.#running.get(event.packageName)?.instanceId !== event.instanceId) return;
    this.#running.delete(event.packageName);
    this.#onExit(event.packageName, event.reason, event.message);
  }

  /** Called when a running package's isolate ends by itself. */
  onExit(handler: ExitHandler): void {
    this.#onExit = handler;
  }

  /** The isolate spec for a record: its limits capped by the host. */
  specOf(record: PackageRecord, code: string): IsolateSpec {
    const { limits } = record.manifest;
    return {
      instanceId: `${record.name}#${++this.#nextInstance}`,
      packageName: record.name,
      version: record.version,
      code,
      memoryMb: Math.min(limits.memoryMb ?? this.#caps.defaultMemoryMb, this.#caps.maxMemoryMb),
      timeoutMs: Math.min(limits.timeoutMs ?? this.#caps.defaultTimeoutMs, this.#caps.maxTimeoutMs),
      cpuMs: Math.min(limits.cpuMs ?? this.#caps.defaultCpuMs, this.#caps.maxCpuMs),
      config: record.config,
      env: record.env,
      permissions: record.granted,
      root: record.folder,
      dataDir: this.#layout.dataDir(record.name),
      dependencies: Object.keys(record.dependencies),
    };
  }

  /** Loads the package (or takes the isolate its install kept, if made from the same record and code) and runs `start`; on failure nothing is left running. */
  async start(record: PackageRecord, code: string): Promise<void> {
    const fresh = this.specOf(record, code);
    const kept = this.#kept.get(record.name);
    this.#kept.delete(record.name);
    const reuse = kept !== undefined && sameIsolate(kept, fresh);
    if (kept && !reuse) await this.#dispose(kept.instanceId);
    const spec = reuse ? kept : fresh;
    this.#starting.set(spec.instanceId, null);
    let exit: ExitEvent | null | undefined;
    try {
      if (spec === fresh) await this.#bounded(spec, "loading", this.#sandbox.load(spec));
      await this.#bounded(spec, `the "start" hook`, this.#sandbox.hook(spec.instanceId, "start"));
      await this.#bounded(spec, "routing", this.#sandbox.route?.(record.name, spec.instanceId) ?? Promise.resolve());
    } catch (error) {
      await this.#dispose(spec.instanceId);
      throw error;
    } finally {
      exit = this.#starting.get(spec.instanceId);
      this.#starting.delete(spec.instanceId);
    }
    this.#running.set(record.name, spec);
    // Reported after the caller has marked the package running (the next turn of the event loop), as an exit of a running package.
    if (exit) setImmediate(() => this.#exited(exit));
  }

  /** Waits for a sandbox call at most twice the package's wall time plus a grace; then gives up on it. */
  async #bounded<T>(spec: IsolateSpec, what: string, call: Promise<T>): Promise<T> {
    const ms = spec.timeoutMs * 2 + SANDBOX_GRACE_MS;
    try {
      return await withDeadline(call, ms);
    } catch (error) {
      if (!(error instanceof DeadlineError)) throw error;
      throw new SandboxFailure("wall-time", `${what} of ${spec.packageName}: the sandbox did not answer within ${ms} ms`);
    }
  }

  /** Ends an isolate; a sandbox that does not answer is not waited for past the grace. */
  async #dispose(instanceId: string): Promise<void> {
    await withDeadline(this.#sandbox.dispose(instanceId), SANDBOX_GRACE_MS).catch(() => undefined);
  }

  /**
   * Lets the package's requests in flight finish within the grace period
   * (new ones are refused meanwhile), then runs `stop` (its failure is
   * returned, not thrown) and ends the isolate.
   */
  async stop(name: string): Promise<unknown> {
    const spec = this.#running.get(name);
    if (spec === undefined) return undefined;
    this.#draining.add(name);
    try {
      // The data plane refuses new requests first; then both planes' requests in flight get the grace period.
      await withDeadline(this.#sandbox.route?.(name, null) ?? Promise.resolve(), SANDBOX_GRACE_MS).catch(() => undefined);
      await Promise.all([this.#inFlight.settled(name, this.#graceMs), this.#sandbox.settled?.(spec.instanceId, this.#graceMs)]);
    } finally {
      this.#draining.delete(name);
    }
    // It may have failed while its requests finished; then there is nothing left to stop.
    if (this.#running.get(name) !== spec) return undefined;
    this.#running.delete(name);
    try {
      await this.#bounded(spec, `the "stop" hook`, this.#sandbox.hook(spec.instanceId, "stop"));
      return undefined;
    } catch (error) {
      return error;
    } finally {
      await this.#dispose(spec.instanceId);
    }
  }

  /**
   * Loads the package in a fresh isolate just to run one hook (install,
   * uninstall). With `keep` and the hook done, the isolate is kept for the
   * package's next `start` instead: the caller that asked for it calls
   * `release` once that start is over, whatever became of it.
   */
  async runOnce(record: PackageRecord, code: string, hook: HookName, options: { keep?: boolean } = {}): Promise<void> {
    const spec = this.specOf(record, code);
    await this.release(record.name);
    let keep = false;
    try {
      await this.#bounded(spec, "loading", this.#sandbox.load(spec));
      await this.#bounded(spec, `the "${hook}" hook`, this.#sandbox.hook(spec.instanceId, hook));
      keep = options.keep === true;
    } finally {
      if (keep) this.#kept.set(record.name, spec);
      else await this.#dispose(spec.instanceId);
    }
  }

  /** Ends the isolate `runOnce` kept for the package, if no start took it. */
  async release(name: string): Promise<void> {
    const kept = this.#kept.get(name);
    if (kept === undefined) return;
    this.#kept.delete(name);
    await this.#dispose(kept.instanceId);
  }

  /** Sends an HTTP request to a running package's `fetch` handler. */
  async forward(name: string, request: SandboxRequest): Promise<SandboxResponse> {
    const spec = this.#running.get(name);
    if (spec === undefined) throw new IsopodError("not_running", `package "${name}" is not running`);
    if (this.#draining.has(name)) {
      throw new IsopodError("not_running", `package "${name}" is stopping: it takes no new requests while those in flight finish`);
    }
    const end = this.#inFlight.begin(name);
    try {
      return this.#inFlight.track(await this.#sandbox.request(spec.instanceId, request), end);
    } catch (error) {
      end();
      throw error;
    }
  }

  /** `/pkg` requests of `name` in flight (answers still streaming included). */
  inFlight(name: string): number {
    return this.#inFlight.count(name);
  }

  isRunning(name: string): boolean {
    return this.#running.has(name);
  }

  get runningCount(): number {
    return this.#running.size;
  }
}

/** Two specs that differ only in their instance: an isolate loaded for one serves the other. */
function sameIsolate(a: IsolateSpec, b: IsolateSpec): boolean {
  return a.code === b.code && JSON.stringify({ ...a, code: "", instanceId: "" }) === JSON.stringify({ ...b, code: "", instanceId: "" });
}

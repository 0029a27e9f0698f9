// The Sandbox that runs isolates in a separate sandbox process and keeps it
// alive: a crash (SIGKILL, V8 fatal error, out of memory) fails the calls and
// isolates it held, and the process is started again after a backoff.

import type { DataPlaneAddress } from "../dataplane/index.ts";
import { SandboxFailure } from "../failure.ts";
import { CrashRecord } from "./crash_record.ts";
import { SandboxChild, type ChildExit, type ChildTimings } from "./sandbox_child.ts";
import type {
  HookName,
  IsolateSpec,
  IsolateStats,
  ResourceInfo,
  Sandbox,
  SandboxEvent,
  SandboxRequest,
  SandboxResponse,
} from "../sandbox.ts";
import type { Wire, WireRequest, WireResponse } from "./wire.ts";
import { errorOfWire } from "./wire_port.ts";

export interface ProcessSandboxOptions extends Partial<ChildTimings> {
  /** Where the sandbox process's bundled entry is kept (the host's data folder); without it, it runs through tsx. */
  cacheDir?: string;
  /** Delay before the first restart after a crash; doubled for each further crash in the window. Default 100. */
  backoffMs?: number;
  /** Longest delay before a restart. Default 10000. */
  maxBackoffMs?: number;
  /** Crashes within `crashWindowMs` past which the restart is reported as a crash loop. Default 5. */
  maxCrashes?: number;
  /** Default 60000. */
  crashWindowMs?: number;
  /** Where the sandbox process serves `/pkg` itself (the data plane); none without it. */
  pkg?: DataPlaneAddress | undefined;
  /** The memory limit, in MiB, of the isolates the sandbox process keeps ready with the runtime run (the host's default); none without it. */
  warmMemoryMb?: number | undefined;
}

/** What happened to the sandbox process, for the control plane to act on (runtime/lifecycle/sandbox_recovery.ts). */
export type SupervisionEvent =
  | { type: "crash"; message: string; packages: string[]; restartInMs: number }
  | { type: "restart"; pid: number; crashes: number; crashLoop: boolean };

export interface ProcessSandboxStatus {
  state: "idle" | "starting" | "up" | "down" | "closed";
  pid: number | null;
  /** Where the sandbox process serves `/pkg` while it is up, if it does. */
  pkgUrl?: string;
  /** Crashes since the host started, and within the crash window now. */
  crashes: number;
  recentCrashes: number;
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: Error): void;
  instanceId: string | undefined;
  /** Turns the wire answer into the result; runs as the answer arrives, before later messages. */
  decode?: (value: unknown, child: SandboxChild) => unknown;
  cleanup?: () => void;
}

interface CallOptions {
  /** The instance the call is about: an exit of that isolate fails the call. */
  instanceId?: string;
  /** The answer while no process is up; without it, the call starts one (or fails while one is down). */
  whenDown?: unknown;
  /** Posts the call itself (requests, whose bodies follow the call). */
  post?: (id: number, child: SandboxChild) => void;
  decode?: PendingCall["decode"];
  cleanup?: () => void;
}

const LOG_LEVELS = new Set(["debug", "info", "warn", "error"]);

export class ProcessSandbox implements Sandbox {
  readonly #timings: ChildTimings;
  readonly #cacheDir: string | undefined;
  readonly #pkg: DataPlaneAddress | undefined;
  readonly #warmMemoryMb: number | undefined;
  readonly #crashes: CrashRecord;
  readonly #listeners: ((event: SandboxEvent) => void)[] = [];
  readonly #supervisors: ((event: SupervisionEvent) => void)[] = [];
  /** Live isolates, by instance id, with the package the control plane loaded them for: the child's word is not taken for it. */
  readonly #instances = new Map<string, string>();
  readonly #pending = new Map<number, PendingCall>();
  #child: SandboxChild | undefined;
  #state: ProcessSandboxStatus["state"] = "idle";
  #lastCrash = "";
  #restartTimer: NodeJS.Timeout | undefined;
  #nextCall = 0;

  constructor(options: ProcessSandboxOptions = {}) {
    this.#timings = {
      startTimeoutMs: options.startTimeoutMs ?? 30_000,
      heartbeatMs: options.heartbeatMs ?? 5_000,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 30_000,
    };
    this.#cacheDir = options.cacheDir;
    this.#pkg = options.pkg;
    this.#warmMemoryMb = options.warmMemoryMb;
    this.#crashes = new CrashRecord({
      backoffMs: options.backoffMs ?? 100,
      maxBackoffMs: options.maxBackoffMs ?? 10_000,
      maxCrashes: options.maxCrashes ?? 5,
      windowMs: options.crashWindowMs ?? 60_000,
    });
  }

  onEvent(listener: (event: SandboxEvent) => void): void {
    this.#listeners.push(listener);
  }

  /** Listens to crashes and restarts of the sandbox process. */
  onSupervision(listener: (event: SupervisionEvent) => void): void {
    this.#supervisors.push(listener);
  }

  status(): ProcessSandboxStatus {
    return {
      state: this.#state,
      pid: this.#state === "up" ? (this.#child?.pid ?? null) : null,
      ...(this.#state === "up" && this.#child?.pkgUrl !== undefined && { pkgUrl: this.#child.pkgUrl }),
      crashes: this.#crashes.total,
      recentCrashes: this.#crashes.recent(),
    };
  }

  /** The sandbox process's pid while one is up (tests kill it). */
  get pid(): number | undefined {
    return this.#state === "up" ? this.#child?.pid : undefined;
  }

  load(spec: IsolateSpec): Promise<void> {
    this.#instances.set(spec.instanceId, spec.packageName);
    return (this.#call("load", [spec], { instanceId: spec.instanceId }) as Promise<void>).catch((error: unknown) => {
      this.#instances.delete(spec.instanceId);
      throw error;
    });
  }

  hook(instanceId: string, hook: HookName): Promise<void> {
    return this.#call("hook", [instanceId, hook], { instanceId }) as Promise<void>;
  }

  async dispose(instanceId: string): Promise<void> {
    this.#instances.delete(instanceId);
    await this.#call("dispose", [instanceId], { whenDown: undefined }).catch(() => undefined);
  }

  async stats(): Promise<IsolateStats[]> {
    const all = (await this.#call("stats", [], { whenDown: [] })) as IsolateStats[];
    if (!Array.isArray(all)) return [];
    return all.flatMap((stats) => {
      const packageName = this.#instances.get(stats?.instanceId);
      return packageName === undefined ? [] : [{ ...stats, packageName }];
    });
  }

  /** The registry's resources; none while the process is down. */
  resources(): Promise<ResourceInfo[]> {
    return this.#call("resources", [], { whenDown: [] }) as Promise<ResourceInfo[]>;
  }

  request(instanceId: string, request: SandboxRequest): Promise<SandboxResponse> {
    const { signal } = request;
    let onAbort: (() => void) | undefined;
    return this.#call("request", [], {
      instanceId,
      post: (id, child) => {
        const post = (body: number | null) => {
          const wire: WireRequest = { head: request.head, body, signal: signal !== undefined };
          child.port.post({ k: "call", id, method: "request", args: [instanceId, wire] });
        };
        if (request.body) child.streams.send(request.body, post);
        else post(null);
        if (!signal) return;
        onAbort = () => this.#pending.has(id) && child.port.post({ k: "abort", id });
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      },
      decode: (value, child) => responseOf(value as WireResponse, child),
      cleanup: () => onAbort && signal?.removeEventListener("abort", onAbort),
    }) as Promise<SandboxResponse>;
  }

  /** Data plane: routes a package to an isolate (or off); nothing to do while no process is up (it has no routes). */
  async route(packageName: string, instanceId: string | null): Promise<void> {
    if (instanceId !== null && !this.#instances.has(instanceId)) return;
    await this.#call("route", [packageName, instanceId], { whenDown: undefined });
  }

  /** Data plane: resolves once the isolate has no request in flight there, or after `ms`. */
  async settled(instanceId: string, ms: number): Promise<void> {
    await this.#call("settled", [instanceId, ms], { whenDown: undefined }).catch(() => undefined);
  }

  /** Ends the sandbox process (its isolates with it); later calls reject with `disposed`. */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    clearTimeout(this.#restartTimer);
    const child = this.#child;
    this.#child = undefined;
    this.#instances.clear();
    const failure = new SandboxFailure("disposed", "the sandbox was closed");
    this.#failPending(failure);
    if (child) {
      child.streams.failAll(failure);
      await child.close(2_000);
    }
  }

  #call(method: string, args: unknown[], options: CallOptions = {}): Promise<unknown> {
    if (this.#state === "closed") return Promise.reject(new SandboxFailure("disposed", "the sandbox is closed"));
    if (!this.#child && "whenDown" in options) return Promise.resolve(options.whenDown);
    if (this.#state === "down") {
      return Promise.reject(new SandboxFailure("sandbox-crash", `the sandbox process is restarting after a crash: ${this.#lastCrash}`));
    }
    const child = this.#child ?? this.#start();
    const id = ++this.#nextCall;
    return new Promise((resolve, reject) => {
      const { instanceId, decode, cleanup } = options;
      this.#pending.set(id, { resolve, reject, instanceId, ...(decode && { decode }), ...(cleanup && { cleanup }) });
      if (options.post) options.post(id, child);
      else child.port.post({ k: "call", id, method, args });
    });
  }

  #start(): SandboxChild {
    const child: SandboxChild = new SandboxChild((message) => this.#handle(child, message), this.#timings, { cacheDir: this.#cacheDir, pkg: this.#pkg, warmMemoryMb: this.#warmMemoryMb });
    this.#child = child;
    this.#state = "starting";
    const restart = this.#crashes.total > 0;
    child.ready.then(
      (pid) => {
        if (this.#child !== child) return;
        this.#state = "up";
        if (restart) this.#supervise({ type: "restart", pid, crashes: this.#crashes.recent(), crashLoop: this.#crashes.isLoop() });
      },
      () => undefined,
    );
    void child.exited.then((exit) => this.#crashed(child, exit));
    return child;
  }

  #handle(child: SandboxChild, message: Wire): void {
    if (this.#child !== child) return;
    switch (message.k) {
      case "done":
        this.#settle(message.id, (call) => call.resolve(call.decode ? call.decode(message.value, child) : message.value), () => {
          const body = (message.value as Partial<WireResponse> | null)?.body;
          if (body && typeof body === "object" && "stream" in body) child.streams.refuse(Number(body.stream));
        });
        return;
      case "fail":
        this.#settle(message.id, (call) => call.reject(errorOfWire(message.error)));
        return;
      case "event":
        this.#event(message.event);
        return;
    }
  }

  #settle(id: number, settle: (call: PendingCall) => void, orphan?: () => void): void {
    const call = this.#pending.get(id);
    if (!call) return orphan?.();
    this.#pending.delete(id);
    call.cleanup?.();
    try {
      settle(call);
    } catch (error) {
      call.reject(error as Error);
    }
  }

  /** An event from the sandbox process, believed only for an isolate the control plane loaded. */
  #event(event: SandboxEvent): void {
    if (event?.type === "requests") return this.#requests(event.counts);
    const packageName = this.#instances.get(event?.instanceId);
    if (packageName === undefined) return;
    const { instanceId } = event;
    if (event.type === "log") {
      const level = LOG_LEVELS.has(event.level) ? event.level : "info";
      this.#emit({ type: "log", instanceId, packageName, level, message: String(event.message), ts: Number(event.ts) || Date.now() });
    } else if (event.type === "dropped") {
      this.#emit({ type: "dropped", instanceId, packageName, lines: Number(event.lines) || 0, bytes: Number(event.bytes) || 0 });
    } else if (event.type === "exit") {
      const failure = errorOfWire({ reason: event.reason, message: String(event.message) }) as SandboxFailure;
      this.#lose(instanceId, packageName, failure);
    }
  }

  /** Request counts from the data plane, kept only for packages loaded here and plausible numbers. */
  #requests(counts: unknown): void {
    if (!Array.isArray(counts)) return;
    const loaded = new Set(this.#instances.values());
    const valid = counts.filter(
      (entry): entry is [string, number, number] =>
        Array.isArray(entry) && loaded.has(entry[0]) && Number.isInteger(entry[1]) && entry[1] >= 100 && entry[1] <= 599 && Number.isSafeInteger(entry[2]) && entry[2] > 0,
    );
    if (valid.length > 0) this.#emit({ type: "requests", counts: valid });
  }

  /** An isolate ended: its calls fail with the reason, and the control plane hears of it. */
  #lose(instanceId: string, packageName: string, failure: SandboxFailure): void {
    this.#instances.delete(instanceId);
    for (const [id, call] of [...this.#pending]) {
      if (call.instanceId === instanceId) this.#settle(id, (pending) => pending.reject(failure));
    }
    this.#emit({ type: "exit", instanceId, packageName, reason: failure.reason, message: failure.message });
  }

  #crashed(child: SandboxChild, exit: ChildExit): void {
    if (this.#child !== child || this.#state === "closed") return;
    this.#child = undefined;
    this.#state = "down";
    this.#lastCrash = exit.message;
    const failure = new SandboxFailure("sandbox-crash", exit.message);
    const lost = [...this.#instances];
    this.#failPending(failure);
    child.streams.failAll(failure);
    for (const [instanceId, packageName] of lost) this.#lose(instanceId, packageName, failure);
    const delay = this.#crashes.add(Date.now());
    this.#supervise({ type: "crash", message: exit.message, packages: [...new Set(lost.map(([, name]) => name))], restartInMs: delay });
    this.#restartTimer = setTimeout(() => {
      if (this.#state === "down") this.#start();
    }, delay);
  }

  #failPending(failure: SandboxFailure): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id, (call) => call.reject(failure));
  }

  #emit(event: SandboxEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  #supervise(event: SupervisionEvent): void {
    for (const listener of this.#supervisors) listener(event);
  }
}

function responseOf(value: WireResponse, child: SandboxChild): SandboxResponse {
  const { body } = value;
  return {
    status: value.status,
    statusText: value.statusText,
    headers: value.headers,
    body: body === null || body instanceof Uint8Array ? body : child.streams.receive(Number(body.stream)),
  };
}

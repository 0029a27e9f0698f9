// One package's isolate: created with its memory limit, the runtime and the
// bundled module evaluated in it; hooks, timers and requests run under
// wall-time limits, and its bridge to the host is checked by HostOps.

import { randomBytes } from "node:crypto";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { DeadlineError, withDeadline } from "../../common/deadline.ts";
import { BRIDGE_NAMES, type HostResult, type RawHostBridge } from "../isolate/core/bridge.ts";
import { CpuWatchdog } from "./cpu_watchdog.ts";
import { SandboxFailure } from "../failure.ts";
import { HostOps } from "./host_ops.ts";
import { HostTimers } from "./host_timers.ts";
import { IsolateProbe } from "./isolate_probe.ts";
import { callback, copyOf, VmIsolate, type Callback, type VmModule } from "./ivm.ts";
import { dispatchCall, dispatcherOf, type Dispatcher } from "./dispatch_call.ts";
import { RequestDispatch } from "./request_dispatch.ts";
import type { RegistryPort } from "../registry/registry.ts";
import type { RegistryDispatch, RegistryPeer } from "../registry/registry_calls.ts";
import { RegistryDelivery } from "./registry_delivery.ts";
import type { WarmIsolates } from "./warm_isolates.ts";
import { isPartName, partScript, runtimeScript } from "./runtime_source.ts";
import { failureOf } from "./isolate_failure.ts";
import { responseBodyOf, type BodySource } from "./response_body.ts";
import type { FailureReason, HookName, IsolateSpec, IsolateStats, LogEvent, SandboxRequest, SandboxResponse } from "../sandbox.ts";

const LOG_LEVELS = new Set(["debug", "info", "warn", "error"]);
/** Longest console line taken from an isolate; the log store cuts further. */
const MAX_LOG_CHARS = 64 * 1024;
/** Host operations (file reads, fetches, digests) one isolate may have in flight. */
const MAX_PENDING_CALLS = 1024;
/** Most random bytes one call may ask for, as in `crypto.getRandomValues`. */
const MAX_RANDOM = 65536;

/**
 * Appended to every module: it runs once the module's body, top-level awaits
 * included, has finished, and tells the runtime (isolate/core/module_ready.ts).
 */
const MODULE_TRAILER = "\n;globalThis.__isopodEvaluated?.();\n";

export interface IsolateListener {
  log(level: LogEvent["level"], message: string): void;
  /** The isolate ended by itself (not through `dispose`). */
  exit(reason: FailureReason, message: string): void;
  /** Where `ctx.registry` goes (sandbox/registry/registry.ts); without it the registry refuses everything. */
  registry?: RegistryPort;
}

const NO_REGISTRY: RegistryPort = {
  sync: () => ({ ok: false, error: { name: "NotSupported", message: "this sandbox has no registry" } }),
  call: () => ({ ok: false, error: { name: "NotSupported", message: "this sandbox has no registry" } }),
  answer: () => ({ ok: true, value: undefined }),
};

export class PackageIsolate implements RegistryPeer {
  readonly spec: IsolateSpec;
  readonly #isolate: VmIsolate;
  readonly #listener: IsolateListener;
  readonly #timers: HostTimers;
  readonly #ops: HostOps;
  readonly #bornAt = performance.now();
  readonly #statsProbe: IsolateProbe;
  readonly #cpu: CpuWatchdog;
  readonly #requestDispatch: RequestDispatch;
  readonly #registryDelivery: RegistryDelivery;
  #dispatch: Dispatcher | undefined;
  #ended: SandboxFailure | undefined;
  #requests = 0;
  #timerChain: Promise<void> = Promise.resolve();
  #pendingCalls = 0;
  /** True while the module evaluates: an error in a continuation then fails the load. */
  #loading = false;
  /** Parts of the runtime already run in this isolate (see #loadPart). */
  #parts = new Set<string>();

  private constructor(spec: IsolateSpec, listener: IsolateListener, warm: WarmIsolates | undefined) {
    this.spec = spec;
    this.#listener = listener;
    // An isolate made ahead with the runtime run in it when the pool has one of this memory limit (warm_isolates.ts).
    this.#isolate = warm?.take(spec.memoryMb) ?? new VmIsolate(spec.memoryMb);
    this.#isolate.bind((message) => this.#end("memory", `V8 fatal error: ${message}`));
    this.#timers = new HostTimers((id) => this.#fireTimer(id));
    this.#ops = new HostOps(spec);
    this.#statsProbe = new IsolateProbe(this.#isolate, spec);
    this.#requestDispatch = new RequestDispatch(spec, () => this.#cpuMs(), (answer) => withDeadline(answer, spec.timeoutMs));
    this.#cpu = new CpuWatchdog({
      readCpuMs: () => this.#cpuMs(),
      budgetMs: spec.cpuMs,
      exceeded: (what, usedMs) =>
        this.#end("cpu-time", `${what} used more than its cpuMs of ${spec.cpuMs} ms of CPU time (${Math.round(usedMs)} ms)`),
    });
    this.#registryDelivery = new RegistryDelivery(this.#requestDispatch, this.#cpu);
  }

  #cpuMs(): number {
    return Number(this.#isolate.cpuTime / 1000n) / 1000;
  }

  /** Creates the isolate (or takes a prepared one from `warm`) and evaluates the package's module in it. */
  static async load(spec: IsolateSpec, listener: IsolateListener, warm?: WarmIsolates): Promise<PackageIsolate> {
    const instance = new PackageIsolate(spec, listener, warm);
    try {
      await instance.#boot();
      return instance;
    } catch (error) {
      const failure = failureOf(error, instance.#ended, spec);
      instance.dispose();
      throw failure;
    }
  }

  /** One host callback per name of the bridge; what the isolate passes is untrusted, so every argument is `unknown` here. */
  #bridge(): Record<Exclude<keyof RawHostBridge, "rootUrl">, Callback> {
    return {
      // Sync, as stdout is in Deno: a package that prints faster than the host takes lines in waits
      // instead of queueing them in the host's memory (docs/decisions.md, "Logs, statistics and retention").
      log: callback((level: unknown, message: unknown) => this.#log(level, message), "sync"),
      timerSet: callback((id: unknown, delay: unknown, repeat: unknown) => this.#timers.set(Number(id), Number(delay), repeat === true), "sync"),
      timerClear: callback((id: unknown) => this.#timers.clear(Number(id)), "ignored"),
      random: callback((length: unknown) => new Uint8Array(randomBytes(Math.min(MAX_RANDOM, Math.max(0, Number(length) | 0)))), "sync"),
      now: callback(() => performance.now() - this.#bornAt, "sync"),
      clone: callback((value: unknown) => value, "sync"),
      callSync: callback((op: unknown, args: unknown) => this.#ops.callSync(op, args), "sync"),
      callStart: callback((id: unknown, op: unknown, args: unknown) => this.#startCall(id, op, args), "ignored"),
      // Registry calls are sync, so that each is taken or refused at once (isolated-vm drops the arguments of an
      // ignored callback that the host cannot deserialize, without a word); answers need not be: a call whose
      // answer is lost times out. See docs/decisions.md, "The registry".
      registrySync: callback((op: unknown, args: unknown) => this.#registry.sync(op, args), "sync"),
      registryCall: callback((...call: unknown[]) => this.#registry.call(call[0], call[1], call[2], call[3], call[4], call[5]), "sync"),
      registryReturn: callback((id: unknown, outcome: unknown) => this.#registry.answer(id, outcome), "ignored"),
      // The answer to a call served on the host's thread: taken before that call returns (sandbox/host/registry_delivery.ts).
      registryReturnSync: callback((id: unknown, outcome: unknown) => void this.#registry.answer(id, outcome), "sync"),
      loadPart: callback((name: unknown) => this.#loadPart(name), "sync"),
    };
  }

  /**
   * Runs a part of the runtime kept out of its first script (runtime_source.ts),
   * at most once per isolate: each isolate keeps its own copy of a script's
   * source, so a part only isolates that need it pay for is memory saved.
   */
  #loadPart(name: unknown): boolean {
    if (!isPartName(name)) throw new TypeError(`no runtime part ${JSON.stringify(String(name))}`);
    if (this.#ended || this.#parts.has(name)) return false;
    this.#parts.add(name);
    this.#isolate.runSync(partScript(name), this.spec.timeoutMs);
    return true;
  }

  async #boot(): Promise<void> {
    const { spec } = this;
    const bridge = { ...this.#bridge(), rootUrl: pathToFileURL(`${path.resolve(spec.root)}/`).href };
    this.#dispatch = dispatcherOf(await this.#isolate.boot(runtimeScript(), BRIDGE_NAMES, bridge, spec.timeoutMs));
    let module: VmModule;
    try {
      module = await this.#isolate.compileModule(spec.code + MODULE_TRAILER, `file:///${spec.packageName}/mod.js`);
    } catch (error) {
      throw new SandboxFailure("invalid-module", `the module does not compile: ${(error as Error).message}`);
    }
    module.instantiate();
    const dispatch = this.#dispatch;
    // "load" waits for the module's top-level awaits; the whole of it runs under the wall time and the CPU budget.
    this.#loading = true;
    const outcome = (await this.#cpu.watch("evaluating the module", () =>
      withDeadline(
        module.evaluate(spec.timeoutMs).then(
          () =>
            dispatchCall(dispatch, "load", [module.namespace()], { timeout: spec.timeoutMs, result: { promise: true, copy: true } }),
        ),
        spec.timeoutMs,
        () => this.#end("wall-time", `evaluating the module took longer than ${spec.timeoutMs} ms`),
      ),
    ).finally(() => (this.#loading = false)));
    if (outcome) throw new SandboxFailure("invalid-module", outcome.message);
  }

  /** Runs a hook of the default export; the isolate is terminated if it outlives its wall time. */
  async hook(name: HookName): Promise<void> {
    const ms = this.spec.timeoutMs;
    try {
      const data = { package: { name: this.spec.packageName, version: this.spec.version }, config: this.spec.config };
      const dispatch = this.#live();
      // The call stops being charged CPU when the host stops waiting for it.
      const outcome = await this.#cpu.watch(`the "${name}" hook`, () => {
        const call = dispatchCall(dispatch, "hook", [name, copyOf(data)], { timeout: ms, result: { promise: true, copy: true } });
        return withDeadline(call, ms, () => this.#end("wall-time", `the "${name}" hook did not finish within ${ms} ms (timeoutMs)`));
      });
      if (outcome) throw new SandboxFailure("uncaught-error", `the "${name}" hook threw ${outcome.name}: ${outcome.message}`);
    } catch (error) {
      if (error instanceof DeadlineError) throw this.#ended!;
      throw failureOf(error, this.#ended, this.spec);
    }
  }

  /**
   * Runs the package's `fetch` for one request. Its answer must come within
   * the wall time; then the body streams on, each chunk within the wall time.
   */
  async request(request: SandboxRequest): Promise<SandboxResponse> {
    const ms = this.spec.timeoutMs;
    const id = ++this.#requests;
    const bodyId = request.body ? this.#ops.bodies.open(request.body) : null;
    const closeBody = () => bodyId !== null && this.#ops.bodies.close(bodyId);
    const onAbort = () => this.#finish(id);
    request.signal?.addEventListener("abort", onAbort, { once: true });
    let outcome;
    try {
      const dispatch = this.#live();
      outcome = await this.#cpu.watch("a request", () => this.#requestDispatch.request(dispatch, id, { ...request.head, bodyId }));
    } catch (error) {
      closeBody();
      if (!(error instanceof DeadlineError)) throw this.#failed(error);
      this.#finish(id);
      this.#probe();
      throw new SandboxFailure("wall-time", `no response within the package's timeoutMs of ${ms} ms`);
    } finally {
      request.signal?.removeEventListener("abort", onAbort);
    }
    if ("error" in outcome) {
      closeBody();
      const reason = outcome.error.name === "NoHandler" ? "no-handler" : "handler-error";
      throw new SandboxFailure(reason, `${outcome.error.name}: ${outcome.error.message}`);
    }
    const { status, statusText, headers, body } = outcome.response;
    return { status, statusText, headers, body: responseBodyOf(body, closeBody, this.#bodySource()) };
  }

  #bodySource(): BodySource {
    return {
      pull: (streamId) => {
        const dispatch = this.#live();
        return this.#cpu.watch("a response body", async () => this.#requestDispatch.pull(dispatch, streamId));
      },
      cancel: (streamId, reason) => this.#cancelStream(streamId, reason),
      probe: () => this.#probe(),
      failed: (error) => this.#failed(error),
    };
  }

  /** The failure of a call; one that killed the isolate (memory) ends it, so the host learns of it. */
  #failed(error: unknown): SandboxFailure {
    const failure = failureOf(error, this.#ended, this.spec);
    if (failure.reason === "memory" || this.#isolate.isDisposed) this.#end(failure.reason, failure.message);
    return failure;
  }

  #cancelStream(streamId: number, reason: string): void {
    if (this.#ended) return;
    if (this.#dispatch) dispatchCall(this.#dispatch, "cancel", [streamId, reason], { timeout: this.spec.timeoutMs, result: { promise: true } }).catch(() => undefined);
  }

  /** Tells the isolate the host gave up on a request, so `request.signal` fires. */
  #finish(id: number): void {
    if (this.#ended) return;
    if (this.#dispatch) dispatchCall(this.#dispatch, "finish", [id, true], { timeout: this.spec.timeoutMs, result: { promise: true } }).catch(() => undefined);
  }

  /** After a request timed out: an isolate that cannot even answer a ping within its wall time is stuck, and ended. */
  #probe(): void {
    if (this.#ended) return;
    const ms = this.spec.timeoutMs;
    const ping = dispatchCall(this.#dispatch!, "ping", [], { timeout: ms, result: { copy: true } });
    withDeadline(ping, ms).catch((error: unknown) => {
      if (error instanceof DeadlineError) this.#end("wall-time", `the isolate was busy for longer than its timeoutMs of ${ms} ms`);
    });
  }

  /** Runs an asynchronous host operation for the isolate and sends its result back as a `resolve` message. */
  #startCall(id: unknown, op: unknown, args: unknown): void {
    if (this.#ended || !Number.isSafeInteger(id)) return;
    const busy: HostResult = { ok: false, error: { name: "Busy", message: `more than ${MAX_PENDING_CALLS} host operations in flight` } };
    const work = this.#pendingCalls >= MAX_PENDING_CALLS ? Promise.resolve(busy) : this.#ops.call(op, args);
    this.#pendingCalls++;
    void work.then((result) => {
      this.#pendingCalls--;
      if (this.#ended) return;
      // The continuation runs under the wall time too: a loop after an await is cut short like any other.
      const dispatch = this.#dispatch;
      if (!dispatch) return;
      const ms = this.spec.timeoutMs;
      this.#cpu
        .watch("a continuation after a host call", () => {
          const call = dispatchCall(dispatch, "resolve", [id as number, copyOf(result)], { timeout: ms, result: { promise: true } });
          // isolated-vm's timeout interrupts a plain loop at \`ms\` and the isolate goes on; it does not run while the
          // isolate waits on the host, so a loop of host calls is stuck: ended, as the probe after a request would.
          return withDeadline(call, ms * 2, () =>
            this.#end("wall-time", `a continuation after a host call was still running after twice its timeoutMs of ${ms} ms`),
          );
        })
        .catch((error: unknown) => {
          const failure = this.#failed(error);
          // A top-level await that rejects surfaces here, as an unhandled rejection: the module failed.
          if (this.#loading) this.#end("uncaught-error", `evaluating the module failed: ${failure.message}`);
          else if (failure.reason !== "disposed") this.#log("error", `a continuation after a host call failed: ${failure.message}`);
        });
    });
  }

  /**
   * Runs a registry dispatch (`registryServe`, `registryResolve`) under the
   * wall time and the CPU budget, as host calls' continuations run; see sandbox/registry/registry_calls.ts.
   */
  async deliver(kind: RegistryDispatch, id: number, payload: unknown): Promise<void> {
    try {
      const what = kind === "registryServe" ? "a registry call" : "a registry answer";
      await this.#cpu.watch(what, () =>
        dispatchCall(this.#live(), kind, [id, payload], { timeout: this.spec.timeoutMs, arguments: { copy: true } }),
      );
    } catch (error) {
      throw this.#registryFailure(kind, error);
    }
  }

  /** The same on the host's thread when the isolate is idle (sandbox/host/registry_delivery.ts); false when it must go by `deliver`. */
  deliverNow(kind: RegistryDispatch, id: number, payload: unknown): boolean {
    if (this.#ended || !this.#dispatch) return false;
    try {
      return this.#registryDelivery.deliver(this.#dispatch, kind, id, payload);
    } catch (error) {
      throw this.#registryFailure(kind, error);
    }
  }

  #registryFailure(kind: RegistryDispatch, error: unknown): SandboxFailure {
    const failure = this.#failed(error);
    if (failure.reason !== "disposed") this.#log("error", `a registry ${kind === "registryServe" ? "call" : "answer"} failed in this package: ${failure.message}`);
    return failure;
  }

  get #registry(): RegistryPort {
    return this.#ended ? NO_REGISTRY : (this.#listener.registry ?? NO_REGISTRY);
  }

  #live(): Dispatcher {
    if (this.#ended || !this.#dispatch) throw this.#ended ?? new SandboxFailure("disposed", "the isolate is not loaded");
    return this.#dispatch;
  }

  /**
   * Fires due timers one after another: concurrent calls into an isolate may
   * be taken in any order by isolated-vm's threads, and timers must fire in
   * the order they fell due.
   */
  #fireTimer(id: number): Promise<void> {
    this.#timerChain = this.#timerChain.then(() => this.#fireNow(id));
    return this.#timerChain;
  }

  async #fireNow(id: number): Promise<void> {
    if (this.#ended) return;
    try {
      const dispatch = this.#live();
      const ms = this.spec.timeoutMs;
      const outcome = await this.#cpu.watch("a timer callback", () => {
        const call = dispatchCall(dispatch, "timer", [id], { timeout: ms, result: { copy: true } });
        // isolated-vm's timeout does not run while the isolate waits on the host: a loop of host calls needs this deadline.
        return withDeadline(call, ms, () => this.#end("wall-time", `a timer callback ran longer than ${ms} ms (timeoutMs)`));
      });
      if (outcome) this.#end("uncaught-error", `a timer callback threw ${outcome.name}: ${outcome.message}`);
    } catch (error) {
      const failure = failureOf(error, this.#ended, this.spec);
      this.#end(failure.reason, `a timer callback failed: ${failure.message}`);
    }
  }

  #log(level: unknown, message: unknown): void {
    if (this.#ended) return;
    const text = String(message);
    this.#listener.log(
      (LOG_LEVELS.has(String(level)) ? level : "info") as LogEvent["level"],
      text.length > MAX_LOG_CHARS ? text.slice(0, MAX_LOG_CHARS) : text,
    );
  }

  /** Terminates the isolate on the host's own initiative and tells the listener why. */
  #end(reason: FailureReason, message: string): void {
    if (this.#ended) return;
    this.#ended = new SandboxFailure(reason, message);
    this.#release();
    this.#listener.exit(reason, message);
  }

  #release(): void {
    this.#cpu.stop();
    this.#timers.clearAll();
    this.#ops.closeAll();
    try {
      this.#isolate.dispose();
    } catch {
      // Already disposed, by isolated-vm itself after a memory overrun.
    }
  }

  /** Ends the isolate at the host's request; in-flight calls reject with `disposed`. */
  dispose(): void {
    if (this.#ended) return;
    this.#ended = new SandboxFailure("disposed", "the isolate was stopped");
    this.#release();
  }

  /** CPU, wall time and heap of this isolate; undefined once it has ended. */
  stats(): Promise<IsolateStats | undefined> {
    return this.#ended ? Promise.resolve(undefined) : this.#statsProbe.read();
  }

  get ended(): boolean {
    return this.#ended !== undefined;
  }
}

// One package's isolate: created with its memory limit, the runtime and the
// bundled module evaluated in it, hooks and timers run under wall-time limits.

import { DeadlineError, withDeadline } from "../runtime/deadline.ts";
import type { CallOutcome } from "./isolate/bridge.ts";
import { SandboxFailure } from "./failure.ts";
import { HostTimers } from "./host_timers.ts";
import { IsolateProbe } from "./isolate_probe.ts";
import { callback, copyOf, createIsolate, type Context, type Isolate, type Reference } from "./ivm.ts";
import { runtimeSource } from "./runtime_source.ts";
import type { FailureReason, HookName, IsolateSpec, IsolateStats, LogEvent } from "./sandbox.ts";

const LOG_LEVELS = new Set(["debug", "info", "warn", "error"]);
/** Longest console line taken from an isolate; the log store cuts further. */
const MAX_LOG_CHARS = 64 * 1024;

type Dispatch = (kind: string, a?: unknown, b?: unknown) => CallOutcome | Promise<CallOutcome>;

export interface IsolateListener {
  log(level: LogEvent["level"], message: string): void;
  /** The isolate ended by itself (not through `dispose`). */
  exit(reason: FailureReason, message: string): void;
}

/** Maps what isolated-vm throws to a reason the host acts on. */
function failureOf(error: unknown, ended: SandboxFailure | undefined): SandboxFailure {
  if (error instanceof SandboxFailure) return error;
  if (ended) return ended;
  const message = error instanceof Error ? error.message : String(error);
  if (/memory limit/i.test(message)) return new SandboxFailure("memory", "isolate exceeded its memory limit");
  if (/timed out/i.test(message)) return new SandboxFailure("wall-time", "script execution timed out");
  if (/disposed/i.test(message)) return new SandboxFailure("disposed", "the isolate was disposed");
  return new SandboxFailure("uncaught-error", message);
}

export class PackageIsolate {
  readonly spec: IsolateSpec;
  readonly #isolate: Isolate;
  readonly #listener: IsolateListener;
  readonly #timers: HostTimers;
  readonly #probe: IsolateProbe;
  #context: Context | undefined;
  #dispatch: Reference<Dispatch> | undefined;
  #ended: SandboxFailure | undefined;

  private constructor(spec: IsolateSpec, listener: IsolateListener) {
    this.spec = spec;
    this.#listener = listener;
    this.#isolate = createIsolate(spec.memoryMb, (message) => this.#end("memory", `V8 fatal error: ${message}`));
    this.#timers = new HostTimers((id) => this.#fireTimer(id));
    this.#probe = new IsolateProbe(this.#isolate, spec);
  }

  /** Creates the isolate and evaluates the package's module in it. */
  static async load(spec: IsolateSpec, listener: IsolateListener): Promise<PackageIsolate> {
    const instance = new PackageIsolate(spec, listener);
    try {
      await instance.#boot();
      return instance;
    } catch (error) {
      const failure = failureOf(error, instance.#ended);
      instance.dispose();
      throw failure;
    }
  }

  async #boot(): Promise<void> {
    const { spec } = this;
    this.#context = await this.#isolate.createContext();
    this.#dispatch = await this.#context.evalClosure(
      `globalThis.__isopodBridge = { log: $0, timerSet: $1, timerClear: $2 };
       ${runtimeSource()}
       const dispatch = globalThis.__isopodDispatch;
       delete globalThis.__isopodDispatch;
       return dispatch;`,
      [
        // Sync, as stdout is in Deno: a package that prints faster than the host takes lines in waits
        // instead of queueing them in the host's memory (docs/decisions.md, "Logs, statistics and retention").
        callback((level: unknown, message: unknown) => this.#log(level, message), "sync"),
        callback((id: unknown, delay: unknown, repeat: unknown) => this.#timers.set(Number(id), Number(delay), repeat === true), "sync"),
        callback((id: unknown) => this.#timers.clear(Number(id)), "ignored"),
      ],
      { result: { reference: true }, timeout: spec.timeoutMs },
    );
    let module;
    try {
      module = await this.#isolate.compileModule(spec.code, { filename: `file:///${spec.packageName}/mod.js` });
    } catch (error) {
      throw new SandboxFailure("invalid-module", `the module does not compile: ${(error as Error).message}`);
    }
    await module.instantiate(this.#context, (specifier) => {
      throw new Error(`import "${specifier}" cannot be resolved inside the isolate`);
    });
    await withDeadline(module.evaluate({ timeout: spec.timeoutMs }), spec.timeoutMs, () =>
      this.#end("wall-time", `evaluating the module took longer than ${spec.timeoutMs} ms`),
    );
    const outcome = await this.#dispatch.apply(undefined, ["load", module.namespace.derefInto()], {
      timeout: spec.timeoutMs,
      result: { copy: true },
    });
    if (outcome) throw new SandboxFailure("invalid-module", outcome.message);
  }

  /** Runs a hook of the default export; the isolate is terminated if it outlives its wall time. */
  async hook(name: HookName): Promise<void> {
    const ms = this.spec.timeoutMs;
    try {
      const data = { package: { name: this.spec.packageName, version: this.spec.version }, config: this.spec.config };
      const call = this.#live().apply(undefined, ["hook", name, copyOf(data)], {
        timeout: ms,
        result: { promise: true, copy: true },
      }) as Promise<CallOutcome>;
      const outcome = await withDeadline(call, ms, () =>
        this.#end("wall-time", `the "${name}" hook did not finish within ${ms} ms`),
      );
      if (outcome) throw new SandboxFailure("uncaught-error", `the "${name}" hook threw ${outcome.name}: ${outcome.message}`);
    } catch (error) {
      if (error instanceof DeadlineError) throw this.#ended!;
      throw failureOf(error, this.#ended);
    }
  }

  #live(): Reference<Dispatch> {
    if (this.#ended || !this.#dispatch) throw this.#ended ?? new SandboxFailure("disposed", "the isolate is not loaded");
    return this.#dispatch;
  }

  #fireTimer(id: number): void {
    if (this.#ended) return;
    const call = this.#live().apply(undefined, ["timer", id], {
      timeout: this.spec.timeoutMs,
      result: { copy: true },
    }) as Promise<CallOutcome>;
    call.then(
      (outcome) => {
        if (outcome) this.#end("uncaught-error", `a timer callback threw ${outcome.name}: ${outcome.message}`);
      },
      (error: unknown) => {
        const failure = failureOf(error, this.#ended);
        this.#end(failure.reason, `a timer callback failed: ${failure.message}`);
      },
    );
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
    this.#timers.clearAll();
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
    return this.#ended ? Promise.resolve(undefined) : this.#probe.read();
  }

  get ended(): boolean {
    return this.#ended !== undefined;
  }
}

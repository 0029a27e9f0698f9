// The only module that imports isolated-vm. Nothing it returns may reach
// package code: an isolated-vm object inside an isolate is a way out of it.

import { gridTimeout } from "./deadline_grid.ts";
import ivm from "isolated-vm";

type Context = ivm.Context;
export type Reference<T = unknown> = ivm.Reference<T>;
type Script = ivm.Script;
export type Callback = ivm.Callback;

let afterCatastrophe: ((message: string) => void) | undefined;

/**
 * Runs `hook` after any isolate's own handler when V8 reports a catastrophic
 * error. The isolate's thread is then stuck and the process is not safe to
 * go on: the sandbox process uses this to end itself (sandbox_process.ts).
 */
export function onCatastrophicError(hook: (message: string) => void): void {
  afterCatastrophe = hook;
}

function createIsolate(memoryMb: number, onCatastrophicError: (message: string) => void): ivm.Isolate {
  return new ivm.Isolate({
    memoryLimit: Math.max(8, memoryMb),
    onCatastrophicError: (message) => {
      onCatastrophicError(message);
      afterCatastrophe?.(message);
    },
  });
}

/** Bounds the runtime's run, and its warm-up, in the isolate that makes its code cache. */
const WARM_UP_MS = 5_000;

/** A host function the isolate can call; arguments and result are copied. */
export function callback(fn: (...args: never[]) => unknown, mode: "sync" | "ignored" | "async"): ivm.Callback {
  return new ivm.Callback(fn as (...args: unknown[]) => unknown, { [mode]: true });
}

/** A value on its way into the isolate as a deep copy. */
export type Copied<T> = ivm.Copy<T>;

/** A value that already lives in the isolate (a module's namespace), handed back to it as it is. */
export type InIsolate<T> = ivm.Copy<T> & { readonly inIsolate: true };

/** A deep copy of plain data, to be handed to the isolate. */
export function copyOf<T>(value: T): Copied<T> {
  return new ivm.ExternalCopy(value).copyInto({ release: true }) as Copied<T>;
}

/** A function inside the isolate the host calls by reference: its dispatcher. */
export type FunctionRef = ivm.Reference<(...args: unknown[]) => unknown>;

/** How a call into the isolate runs: `timeout` bounds its synchronous part; results come back copied or as promises. */
export interface CallOptions {
  timeout: number;
  result?: { promise?: true; copy?: true };
  arguments?: { copy?: true };
}

export function callInto(fn: FunctionRef, args: unknown[], options: CallOptions): Promise<unknown> {
  return fn.apply(undefined, args as never[], { ...options, timeout: gridTimeout(options.timeout) }) as Promise<unknown>;
}

/**
 * Calls into the isolate on this thread, blocking it until the call returns
 * (at most `timeout`): no hand-off to the isolate's thread. Only for calls
 * that are known to be short, into an isolate nothing else is running in.
 */
export function callIntoSync(fn: FunctionRef, args: unknown[], options: { timeout: number }): unknown {
  return fn.applySync(undefined, args as never[], { timeout: gridTimeout(options.timeout), result: { copy: true } });
}

/**
 * Runs the bootstrap's second phase (sandbox/isolate/core/bootstrap.ts): takes
 * `boot` off the global object and calls it with the host's callbacks (and plain
 * strings) under the given names; answers the dispatcher it returns.
 */
function callBoot(context: Context, names: readonly string[], values: Record<string, ivm.Callback | string>, timeoutMs: number): Promise<FunctionRef> {
  const fields = names.map((name, index) => `${name}: $${index}`).join(", ");
  const code = `const boot = globalThis.__isopodBoot; delete globalThis.__isopodBoot; return boot({ ${fields} });`;
  return context.evalClosure(code, names.map((name) => values[name]), { timeout: timeoutMs, result: { reference: true } }) as Promise<FunctionRef>;
}

/**
 * One script for many isolates, compiled from V8's code cache. The cache is
 * made once, in a throwaway isolate no package ever runs in, after the script
 * and a warm-up script have run there: it then holds every function they
 * compiled, not only the top level (bench/sandbox.ts measures both). It holds
 * code, never a value of that isolate's heap.
 */
export class CachedScript {
  readonly #code: string;
  readonly #filename: string;
  readonly #warmUp: string | undefined;
  #cache: Promise<ivm.ExternalCopy<ArrayBuffer> | undefined> | undefined;
  /** `compileSync`'s cache: made by its first compile (a script compiled only that way has no warm-up). */
  #syncCache: ivm.ExternalCopy<ArrayBuffer> | undefined;

  constructor(code: string, options: { filename: string; warmUp?: string }) {
    this.#code = code;
    this.#filename = options.filename;
    this.#warmUp = options.warmUp;
  }

  async compile(isolate: ivm.Isolate): Promise<Script> {
    this.#cache ??= this.#makeCache().catch(() => undefined);
    const cachedData = await this.#cache;
    const options = { filename: this.#filename };
    if (cachedData) {
      // The typings omit `cachedDataRejected`, which isolated-vm sets when V8 refuses the cache.
      const script = (await isolate.compileScript(this.#code, { ...options, cachedData })) as Script & { cachedDataRejected?: boolean };
      if (!script.cachedDataRejected) return script;
      // V8 refused it once, and would again in this process: compile plainly from now on, not remake it at every start.
      this.#cache = Promise.resolve(undefined);
    }
    return isolate.compileScript(this.#code, options);
  }

  /** Runs the script and the warm-up, then compiles the same source again there: V8 finds its compiled script, lazily compiled functions included. */
  async #makeCache(): Promise<ivm.ExternalCopy<ArrayBuffer> | undefined> {
    const isolate = new ivm.Isolate({ memoryLimit: 64 });
    try {
      const context = await isolate.createContext();
      const options = { filename: this.#filename };
      await (await isolate.compileScript(this.#code, options)).run(context, { timeout: WARM_UP_MS });
      if (this.#warmUp !== undefined) await context.eval(this.#warmUp, { timeout: WARM_UP_MS }).catch(() => undefined);
      const again = (await isolate.compileScript(this.#code, { ...options, produceCachedData: true })) as Script & ivm.CachedDataResult;
      return again.cachedData;
    } finally {
      isolate.dispose();
    }
  }

  /** The same on this thread: from a host callback the isolate is blocked in (the isolate is entered again). */
  compileSync(isolate: ivm.Isolate): Script {
    const options = { filename: this.#filename };
    if (this.#syncCache) {
      const script = isolate.compileScriptSync(this.#code, { ...options, cachedData: this.#syncCache }) as Script & { cachedDataRejected?: boolean };
      if (!script.cachedDataRejected) return script;
    }
    const script = isolate.compileScriptSync(this.#code, { ...options, produceCachedData: true }) as Script & ivm.CachedDataResult;
    this.#syncCache = script.cachedData;
    return script;
  }
}

/** What V8 says of an isolate's heap. */
export type HeapStatistics = ivm.HeapStatistics;

/**
 * One isolate as the rest of sandbox/ sees it: these methods, never
 * isolated-vm's objects. It has one context, opened with the host's bridge bound in.
 */
export class VmIsolate {
  readonly #isolate: ivm.Isolate;
  readonly memoryMb: number;
  #context: Context | undefined;
  /** Whether the runtime script's first phase has run in the context (`prepare`). */
  #prepared = false;
  #booted = false;
  /** Bound late (`bind`): an isolate made ahead for a pool belongs to no package yet. */
  #onCatastrophicError: ((message: string) => void) | undefined;

  constructor(memoryMb: number, onCatastrophicError?: (message: string) => void) {
    this.memoryMb = memoryMb;
    this.#onCatastrophicError = onCatastrophicError;
    this.#isolate = createIsolate(memoryMb, (message) => this.#onCatastrophicError?.(message));
  }

  /** Gives the isolate its owner's handler for V8's catastrophic errors (the process hook runs after it either way). */
  bind(onCatastrophicError: (message: string) => void): void {
    this.#onCatastrophicError = onCatastrophicError;
  }

  /** CPU time used so far, in nanoseconds; readable without the isolate's lock. */
  get cpuTime(): bigint {
    return this.#isolate.cpuTime;
  }

  get wallTime(): bigint {
    return this.#isolate.wallTime;
  }

  get isDisposed(): boolean {
    return this.#isolate.isDisposed;
  }

  heapStatistics(): Promise<HeapStatistics> {
    return this.#isolate.getHeapStatistics();
  }

  dispose(): void {
    this.#isolate.dispose();
  }

  /** Creates a bare context, nothing bound in: what the start-up benches compare against. */
  async openContext(): Promise<void> {
    this.#context = await this.#isolate.createContext();
  }

  /** Runs a script shared by every isolate (its code cache too) synchronously: only from a sync host callback of this isolate (a part of the runtime loaded on demand). */
  runSync(script: CachedScript, timeoutMs: number): void {
    script.compileSync(this.#isolate).runSync(this.#contextOf(), { timeout: timeoutMs });
  }

  /**
   * Creates the context, runs the runtime `script` in it (its first phase touches
   * no host object), then its `boot` with the host's callbacks (and strings) under
   * `names`; answers the dispatcher. `timeoutMs` bounds each synchronous part.
   */
  async boot(script: CachedScript, names: readonly string[], values: Record<string, ivm.Callback | string>, timeoutMs: number): Promise<FunctionRef> {
    if (this.#booted) throw new Error("the isolate is already booted");
    this.#booted = true;
    if (!this.#prepared) await this.prepare(script, timeoutMs);
    return callBoot(this.#contextOf(), names, values, timeoutMs);
  }

  /**
   * The bootstrap's first phase alone: creates the context and runs the runtime
   * `script` in it, which touches no host object and no package. An isolate
   * prepared ahead (warm_isolates.ts) then only needs `boot`.
   */
  async prepare(script: CachedScript, timeoutMs: number): Promise<void> {
    if (this.#prepared || this.#context) throw new Error("the isolate already has a context");
    const context = await this.#isolate.createContext();
    this.#context = context;
    await (await script.compile(this.#isolate)).run(context, { timeout: timeoutMs });
    this.#prepared = true;
  }

  /** True once `prepare` has run and nothing has booted it yet: no package has had it. */
  get isPrepared(): boolean {
    return this.#prepared && !this.#booted;
  }

  /** Compiles an ES module; throws V8's syntax error as it is. */
  async compileModule(code: string, filename: string): Promise<VmModule> {
    return new VmModule(await this.#isolate.compileModule(code, { filename }), this.#contextOf());
  }

  #contextOf(): Context {
    if (!this.#context) throw new Error("the isolate has no context yet");
    return this.#context;
  }
}

/** A compiled module of an isolate: linked (it may import nothing: bundles are whole), evaluated, its namespace handed back in. */
export class VmModule {
  readonly #module: ivm.Module;
  readonly #context: Context;

  constructor(module: ivm.Module, context: Context) {
    this.#module = module;
    this.#context = context;
  }

  /** Links the module on this thread: it runs no code of the package and a bundle imports nothing, so a hand-off to the isolate's thread would cost more than the work. */
  instantiate(): void {
    this.#module.instantiateSync(this.#context, (specifier) => {
      throw new Error(`import "${specifier}" cannot be resolved inside the isolate`);
    });
  }

  /** Evaluates the module's body; `timeoutMs` bounds its synchronous part (the host bounds the rest). */
  evaluate(timeoutMs: number): Promise<unknown> {
    return this.#module.evaluate({ timeout: timeoutMs }) as Promise<unknown>;
  }

  /** The module's namespace, to be handed to the dispatcher's `load`. */
  namespace(): InIsolate<{ default?: unknown }> {
    return this.#module.namespace.derefInto() as unknown as InIsolate<{ default?: unknown }>;
  }
}

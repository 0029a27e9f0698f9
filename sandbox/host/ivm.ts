// The only module that imports isolated-vm. Nothing it returns may reach
// package code: an isolated-vm object inside an isolate is a way out of it.

import ivm from "isolated-vm";

export type Isolate = ivm.Isolate;
export type Context = ivm.Context;
export type Reference<T = unknown> = ivm.Reference<T>;
export type Module = ivm.Module;
export type Script = ivm.Script;
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

export function createIsolate(memoryMb: number, onCatastrophicError: (message: string) => void): Isolate {
  return new ivm.Isolate({
    memoryLimit: Math.max(8, memoryMb),
    onCatastrophicError: (message) => {
      onCatastrophicError(message);
      afterCatastrophe?.(message);
    },
  });
}

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
  return fn.apply(undefined, args as never[], options) as Promise<unknown>;
}

/**
 * Calls into the isolate on this thread, blocking it until the call returns
 * (at most `timeout`): no hand-off to the isolate's thread. Only for calls
 * that are known to be short, into an isolate nothing else is running in.
 */
export function callIntoSync(fn: FunctionRef, args: unknown[], options: { timeout: number }): unknown {
  return fn.applySync(undefined, args as never[], { timeout: options.timeout, result: { copy: true } });
}

/** Binds host callbacks (and plain strings) into a new context as one global object, `__isopodBridge`, with the given names. */
export async function bindBridge(context: Context, names: readonly string[], callbacks: Record<string, ivm.Callback | string>): Promise<void> {
  const fields = names.map((name, index) => `${name}: $${index}`).join(", ");
  await context.evalClosure(`globalThis.__isopodBridge = { ${fields} };`, names.map((name) => callbacks[name]));
}

/** Takes the dispatcher the bootstrap left on the global object, and removes it from there. */
export function takeDispatcher(context: Context): Promise<FunctionRef> {
  return context.evalClosure(`const dispatch = globalThis.__isopodDispatch; delete globalThis.__isopodDispatch; return dispatch;`, [], {
    result: { reference: true },
  }) as Promise<FunctionRef>;
}

/** A module's namespace, to be handed to the dispatcher's `load`. */
export function namespaceOf(module: Module): InIsolate<{ default?: unknown }> {
  return module.namespace.derefInto() as unknown as InIsolate<{ default?: unknown }>;
}

/**
 * Compiles one script for many isolates: the first compile produces V8's code
 * cache, later ones consume it (see bench/sandbox.ts for what this saves).
 */
export class CachedScript {
  readonly #code: string;
  readonly #filename: string;
  #cache: ivm.ExternalCopy<ArrayBuffer> | undefined;

  constructor(code: string, filename: string) {
    this.#code = code;
    this.#filename = filename;
  }

  async compile(isolate: Isolate): Promise<Script> {
    const options = { filename: this.#filename };
    if (this.#cache) {
      // The typings omit `cachedDataRejected`, which isolated-vm sets when V8 refuses the cache.
      const script = (await isolate.compileScript(this.#code, { ...options, cachedData: this.#cache })) as Script & {
        cachedDataRejected?: boolean;
      };
      if (!script.cachedDataRejected) return script;
    }
    const script = (await isolate.compileScript(this.#code, { ...options, produceCachedData: true })) as Script &
      ivm.CachedDataResult;
    this.#cache = script.cachedData;
    return script;
  }
}

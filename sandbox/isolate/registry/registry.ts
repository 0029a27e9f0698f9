// `ctx.registry` inside an isolate: `provide` publishes methods through the
// host, `use` gives a handle whose calls travel as messages, and `serve` runs
// another package's call on this package's methods. Every check that matters
// is made again by the host (sandbox/registry/registry.ts).

import type { HostResult } from "../core/bridge.ts";
import { CloneBoundError, measureClone } from "../core/clone_size.ts";
import { DOMException } from "../web/dom_exception.ts";
import { errorFrom } from "../core/host_errors.ts";
import {
  REGISTRY_LIMITS,
  type RegistryBridge,
  type RegistryErrorMessage,
  type RegistryOutcome,
  type ServeMessage,
  type UseAnswer,
} from "./registry_wire.ts";

const RESOURCE_NAME = /^[A-Za-z0-9._-]{1,128}$/;
/** Method names are identifiers; `then` would make a handle look like a promise to `await`. */
const METHOD_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,127}$/;

type Method = (...args: unknown[]) => unknown;

interface Provided {
  target: object;
  methods: Map<string, Method>;
}

/** The Error a registry message stands for: the matching class, its name, and `code` when the registry raised it. */
export function registryErrorOf(message: RegistryErrorMessage): Error {
  const error = message.name === "DataCloneError" ? new DOMException(message.message, "DataCloneError") : errorFrom(message);
  if (error.name !== message.name) Object.defineProperty(error, "name", { value: message.name, writable: true, configurable: true });
  // A DOMException has its own numeric `code` (WebIDL); its name says enough.
  if (message.code !== undefined && !(error instanceof DOMException)) Object.defineProperty(error, "code", { value: message.code, writable: true, configurable: true });
  return error;
}

function unwrap(result: HostResult): unknown {
  if (result.ok) return result.value;
  throw registryErrorOf(result.error);
}

/** What a provider's failure becomes for the caller: name and message only, never the object. */
function thrownBy(error: unknown): RegistryOutcome {
  try {
    if (error instanceof Error) return { ok: false, error: { name: String(error.name), message: String(error.message) } };
    const text = typeof error === "string" ? error : error === null || typeof error !== "object" ? String(error) : "an object";
    return { ok: false, error: { name: "Error", message: `the provider threw a value that is not an Error: ${text.slice(0, 200)}` } };
  } catch {
    return { ok: false, error: { name: "Error", message: "the provider threw an error whose message cannot be read" } };
  }
}

function failure(name: string, code: RegistryErrorMessage["code"], message: string): RegistryOutcome {
  return { ok: false, error: { name, message, ...(code && { code }) } };
}

/** A value that may not cross, as the caller sees it. */
function boundFailure(what: string, error: unknown): RegistryOutcome {
  if (error instanceof CloneBoundError) {
    const code = error.code === "too_large" ? "too_large" : "data_clone";
    return failure(error.code === "too_large" ? "RangeError" : "DataCloneError", code, `${what} cannot cross the registry: ${error.message}`);
  }
  return thrownBy(error);
}

function settle(outcome: RegistryOutcome, resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  if (outcome.ok) resolve(outcome.value);
  else reject(registryErrorOf(outcome.error));
}

const quote = (value: unknown): string => (typeof value === "string" ? `"${value.slice(0, 140)}"` : typeof value);

export class RegistryClient {
  readonly #bridge: RegistryBridge;
  readonly #provided = new Map<string, Provided>();
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  #nextId = 1;
  /** The depth of the call being served right now (synchronously); 0 outside any. */
  #depth = 0;
  /** `ctx.registry`. */
  readonly api: { provide(name: string, methods: object): void; use(pkg: string, name: string): Promise<object> };

  constructor(bridge: RegistryBridge) {
    this.#bridge = bridge;
    this.api = Object.freeze({
      provide: (name: string, methods: object) => this.provide(name, methods),
      use: (pkg: string, name: string) => this.use(pkg, name),
    });
  }

  provide(name: unknown, methods: unknown): void {
    if (typeof name !== "string" || !RESOURCE_NAME.test(name)) {
      throw new TypeError(`cannot provide ${quote(name)}: a resource name must match ^[A-Za-z0-9._-]{1,128}$`);
    }
    if (methods === null || typeof methods !== "object") throw new TypeError(`cannot provide "${name}": methods must be an object of functions`);
    const table = new Map<string, Method>();
    for (const key of Object.keys(methods)) {
      const fn = (methods as Record<string, unknown>)[key];
      if (typeof fn !== "function") throw new TypeError(`cannot provide "${name}": "${key.slice(0, 140)}" is not a function`);
      if (!METHOD_NAME.test(key) || key === "then") {
        throw new TypeError(`cannot provide "${name}": method name ${quote(key)} must be an identifier other than "then"`);
      }
      table.set(key, fn as Method);
    }
    unwrap(this.#bridge.registrySync("provide", [name, [...table.keys()]]));
    this.#provided.set(name, { target: methods, methods: table });
  }

  async use(pkg: unknown, name: unknown): Promise<object> {
    if (typeof pkg !== "string" || typeof name !== "string") throw new TypeError("use(pkg, name) takes two strings");
    let methods: string[];
    try {
      ({ methods } = unwrap(this.#bridge.registrySync("use", [pkg, name])) as UseAnswer);
    } catch (error) {
      // A declared provider that is down: its methods are not known yet, so every name is a call, refused until it is back.
      if ((error as { code?: unknown }).code !== "provider_not_running") throw error;
      return this.#lateHandle(pkg, name);
    }
    const handle = Object.create(null) as Record<string, unknown>;
    for (const method of methods) {
      const call = (...args: unknown[]) => this.#call(pkg, name, method, args);
      Object.defineProperty(handle, method, { value: call, enumerable: true });
    }
    return Object.freeze(handle);
  }

  /** A handle for a provider that is not running: any method name calls through (the host refuses while it is down). */
  #lateHandle(pkg: string, name: string): object {
    const calls = new Map<string, (...args: unknown[]) => Promise<unknown>>();
    return new Proxy(Object.freeze(Object.create(null) as object), {
      get: (_target, key) => {
        // Not a thenable, so that `await use(...)` gives the handle itself.
        if (typeof key !== "string" || key === "then") return undefined;
        let call = calls.get(key);
        if (!call) {
          call = (...args: unknown[]) => this.#call(pkg, name, key, args);
          calls.set(key, call);
        }
        return call;
      },
    });
  }

  #call(pkg: string, name: string, method: string, args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const what = `the arguments of "${pkg}/${name}".${method}()`;
      let started: HostResult;
      try {
        measureClone(args, REGISTRY_LIMITS);
      } catch (error) {
        if (!(error instanceof CloneBoundError)) throw error;
        reject(registryErrorOf((boundFailure(what, error) as { error: RegistryErrorMessage }).error));
        return;
      }
      const id = this.#nextId++;
      try {
        started = this.#bridge.registryCall(id, pkg, name, method, args, this.#depth + 1);
      } catch (error) {
        // V8's serializer refused the arguments: a function, a proxy, a symbol...
        const message = error instanceof Error ? error.message : String(error);
        reject(new DOMException(`${what} cannot be cloned: ${message}`, "DataCloneError"));
        return;
      }
      if (!started.ok) reject(registryErrorOf(started.error));
      else if (started.value === null || started.value === undefined) this.#pending.set(id, { resolve, reject });
      else settle(started.value as RegistryOutcome, resolve, reject);
    });
  }

  /** The host's answer to call `id` (dispatch `registryResolve`). */
  resolve(id: number, outcome: RegistryOutcome): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    settle(outcome, pending.resolve, pending.reject);
  }

  /**
   * Runs another package's call on a provided method (dispatch `registryServe`);
   * the answer goes back by `registryReturn`, or `registryReturnSync` for a call served on the host's thread.
   */
  serve(id: number, call: ServeMessage): void {
    const provided = this.#provided.get(call.resource);
    const method = provided?.methods.get(call.method);
    if (!provided || !method) {
      this.#return(id, failure("NotFound", "method_not_found", `${call.label} is not provided`), call);
      return;
    }
    const outer = this.#depth;
    this.#depth = call.depth;
    let result: unknown;
    try {
      result = method.apply(provided.target, call.args);
    } catch (error) {
      this.#return(id, thrownBy(error), call);
      return;
    } finally {
      this.#depth = outer;
    }
    Promise.resolve(result).then(
      (value) => this.#return(id, { ok: true, value }, call),
      (error: unknown) => this.#return(id, thrownBy(error), call),
    );
  }

  #return(id: number, outcome: RegistryOutcome, call: ServeMessage): void {
    const what = `the result of ${call.label}`;
    let answer = outcome;
    if (answer.ok) {
      try {
        measureClone(answer.value, REGISTRY_LIMITS);
      } catch (error) {
        answer = boundFailure(what, error);
      }
    }
    const send = call.inline === true ? this.#bridge.registryReturnSync : this.#bridge.registryReturn;
    try {
      send(id, answer);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      send(id, failure("DataCloneError", "data_clone", `${what} cannot be cloned: ${message}`));
    }
  }
}

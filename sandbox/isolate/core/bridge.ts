// The functions the host hands to the isolate, and the plain messages that
// cross the boundary. Arguments and results are copies (structured clone).

export interface HostBridge {
  /** Appends one line to the package's log. Fire and forget. */
  log(level: string, message: string): void;
  /** Asks the host to call back timer `id` after `delay` ms; false when the isolate has too many timers. */
  timerSet(id: number, delay: number, repeat: boolean): boolean;
  /** Cancels a timer. Fire and forget. */
  timerClear(id: number): void;
  /** `length` cryptographically strong random bytes (at most 65536). */
  random(length: number): Uint8Array;
  /** Milliseconds since the isolate was created, with sub-millisecond precision. */
  now(): number;
  /** A structured clone made by V8's own serializer; throws a TypeError for what cannot be cloned. */
  clone(value: unknown): unknown;
  /** A synchronous host operation (env); never throws. */
  callSync(op: string, args: unknown[]): HostResult;
  /** An asynchronous host operation (files, fetch, digest, bodies); never rejects. Built on `callStart` and `resolve`. */
  call(op: string, args: unknown[]): Promise<HostResult>;
}

/**
 * The functions as the host binds them into a new context, by name: the host
 * builds one callback per name (sandbox/host/package_isolate.ts) and the
 * bootstrap takes them off the global object. `call` is built in the isolate on `callStart`.
 */
export interface RawHostBridge extends Omit<HostBridge, "call"> {
  /** Starts asynchronous host operation `id`; its result comes back as a `resolve` dispatch. */
  callStart(id: number, op: string, args: unknown[]): void;
  /** `ctx.registry`'s `provide(name, methodNames)` or `use(pkg, name)` (sandbox/isolate/registry/registry_wire.ts). */
  registrySync(op: "provide" | "use", args: unknown[]): HostResult;
  registryCall(id: number, pkg: string, name: string, method: string, args: unknown[], depth: number): HostResult;
  registryReturn(id: number, outcome: unknown): void;
  registryReturnSync(id: number, outcome: unknown): void;
  /**
   * Runs a part of the runtime kept out of the first script (only `"url"`:
   * web/url_part.ts) in this isolate, once; true if it ran now, false if it had already.
   */
  loadPart(name: string): boolean;
  /** The package root as a `file:` URL ending in `/`: the base of `import.meta.url`. A value, not a function. */
  rootUrl: string;
}

/** Every name of the raw bridge, in the order the host binds them. */
export const BRIDGE_NAMES = [
  "log",
  "timerSet",
  "timerClear",
  "random",
  "now",
  "clone",
  "callSync",
  "callStart",
  "registrySync",
  "registryCall",
  "registryReturn",
  "registryReturnSync",
  "loadPart",
  "rootUrl",
] as const satisfies readonly (keyof RawHostBridge)[];

/**
 * The calls the host makes into the isolate, through its one dispatcher
 * (sandbox/isolate/core/dispatch.ts): the isolate implements this table, the
 * host calls it by name with these arguments (sandbox/host/dispatch_call.ts).
 */
export interface DispatchCalls {
  /** Takes the module's namespace once its body and top-level awaits are done; a default export that is not an object is an error. */
  load(namespace: { default?: unknown }): Promise<CallOutcome>;
  hook(name: string, data: ContextData): Promise<CallOutcome>;
  timer(id: number): CallOutcome;
  request(id: number, head: RequestHead): Promise<RequestOutcome> | RequestOutcome;
  /** A pending request's outcome if it has settled, else `pending`; the outcome is handed out once. */
  requestTake(id: number): FlatOutcome | Pending;
  /**
   * `request` called on the host's thread (sandbox/host/request_dispatch.ts) for the requests without a body
   * that reached the host in one turn of its event loop, heads as one string, answers as one string
   * (core/flat_wire.ts): a handler that answered without waiting is answered in the same call; one that has
   * not is marked and answered by `requestTakeBatch` (settled in the call's microtasks) or `requestWait`;
   * one that needs a structured copy (a stream, a large body, an error) is marked and taken with `requestTake`.
   */
  requestBatch(batch: string): string;
  /** `requestTake` for the marked requests of a batch (ids joined by ","), answered as a batch. */
  requestTakeBatch(ids: string): string;
  /** A pending request's outcome, when it settles. */
  requestWait(id: number): Promise<RequestOutcome>;
  /** The host is done with request `id`: its answer was sent, or the client went away (`aborted`). */
  finish(id: number, aborted: boolean): void;
  pull(streamId: number): Promise<BodyPull>;
  /**
   * `pull` on the host's thread: all the stream has read ahead (web/body_streams.ts), else `pending`; what
   * settles in the call's microtasks is there for a second `pullSync`, and `pullWait` waits for the rest.
   */
  pullSync(streamId: number): BodyPull | Pending;
  pullWait(streamId: number): Promise<BodyPull>;
  cancel(streamId: number, reason: string): void;
  /** The result of asynchronous host operation `id`. */
  resolve(id: number, result: HostResult): void;
  /** Answers at once: the isolate is not stuck. */
  ping(): null;
  /** A registry call for a resource this package provides (sandbox/isolate/registry/registry_wire.ts). */
  registryServe(id: number, message: unknown): unknown;
  /** The answer to a registry call this package made. */
  registryResolve(id: number, outcome: unknown): unknown;
}

export type DispatchKind = keyof DispatchCalls;

/** What a host operation answers: a value, or an error the isolate turns into the matching class. */
export type HostResult = { ok: true; value: unknown } | { ok: false; error: ErrorMessage };

/** An error as plain data. `name` is a Deno.errors class (NotCapable, NotFound...) or a built-in (TypeError). */
export interface ErrorMessage {
  name: string;
  message: string;
}

/** What the host sends with each hook call: the plain-data part of `ctx`. */
export interface ContextData {
  package: { name: string; version: string };
  config: Record<string, unknown>;
}

/** What a dispatched call reports back: null on success, or the error's name and message. */
export type CallOutcome = null | ErrorMessage;

/** Header lists keep order and repeats: `set-cookie` may appear more than once. */
export type HeaderList = [string, string][];

/** An HTTP request for the package's `fetch` handler. `bodyId` names a host stream the isolate pulls from. */
export interface RequestHead {
  method: string;
  url: string;
  headers: HeaderList;
  remoteAddr: { transport: "tcp"; hostname: string; port: number };
  bodyId: number | null;
}

/**
 * A response's head. Its body is `null`, the whole body inline (small, already
 * known bodies), or a stream id the other side pulls chunks from.
 */
export interface ResponseHead {
  status: number;
  statusText: string;
  headers: HeaderList;
  body: null | { bytes: Uint8Array } | { streamId: number };
}

/** An outgoing `fetch` as the isolate asks the host for it. */
export interface FetchHead {
  method: string;
  url: string;
  headers: HeaderList;
  redirect: "follow" | "manual" | "error";
  body: Uint8Array | null;
}

/** The host's answer to a `fetch`: a response head whose body is a host stream id, and where it ended up. */
export interface FetchResult extends ResponseHead {
  url: string;
  redirected: boolean;
}

/** One pull from a body stream: a chunk, the end, or an error. */
export type PullResult = { chunk: Uint8Array } | { done: true } | { error: ErrorMessage };

/** A pull of a response body from the isolate: as PullResult, or the chunks it had read ahead, each as the package enqueued it. */
export type BodyPull = PullResult | { chunks: Uint8Array[] };

/** A request whose handler has not answered yet. */
export interface Pending {
  pending: true;
}

/** What a `request` dispatch answers: the response head, or why the package failed to give one. */
export type RequestOutcome = { response: ResponseHead } | { error: ErrorMessage };

/** The same, with a response that fits flattened into one string (core/flat_wire.ts). */
export type FlatOutcome = RequestOutcome | string;

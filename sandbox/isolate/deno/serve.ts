// Deno.serve inside the isolate: records the package's one HTTP handler (the
// host listens, so port and hostname are ignored) and returns a server object.

export type ServeHandler = (request: unknown, info: unknown) => unknown;

interface ServeOptions {
  handler?: unknown;
  port?: unknown;
  hostname?: unknown;
  signal?: { aborted: boolean; addEventListener(type: string, listener: () => void, options?: unknown): void };
  onListen?: unknown;
  onError?: unknown;
}

export interface ServeAddr {
  transport: "tcp";
  hostname: string;
  port: number;
}

/** What both `Deno.serve` and a default `fetch` claim, named in the error when a package has both. */
export const BOTH_HANDLERS =
  "the package has both a fetch handler in its default export and a Deno.serve handler; it has one HTTP handler at /pkg/{name}/, keep one";
const TWICE = "Deno.serve was called twice; a package has one HTTP handler at /pkg/{name}/, so it can call Deno.serve once";

/** The handler Deno.serve installed, with its onError and the requests it is serving. */
export interface ActiveServe {
  handler: ServeHandler;
  onError: ((error: unknown) => unknown) | null;
  inflight: number;
}

export class ServeRegistry {
  #active: ActiveServe | null = null;
  #called = false;
  #drained: (() => void) | null = null;
  /** Set by the dispatcher once the default export is known: Deno.serve beside a default fetch is refused. */
  hasDefaultFetch = false;

  get active(): ActiveServe | null {
    return this.#active;
  }

  /** `Deno.serve(handler)`, `Deno.serve(options, handler)`, `Deno.serve({ handler, ...options })`. */
  serve(first: unknown, second?: unknown): object {
    const options = (typeof first === "function" ? {} : (first ?? {})) as ServeOptions;
    if (typeof options !== "object") throw new TypeError("Deno.serve expects a handler or an options object");
    const handler = typeof first === "function" ? first : typeof second === "function" ? second : options.handler;
    if (typeof handler !== "function") throw new TypeError("A handler function must be provided.");
    if (this.#called) throw new TypeError(TWICE);
    if (this.hasDefaultFetch) throw new TypeError(BOTH_HANDLERS);
    this.#called = true;
    const addr: ServeAddr = {
      transport: "tcp",
      hostname: typeof options.hostname === "string" ? options.hostname : "0.0.0.0",
      port: typeof options.port === "number" ? options.port : 8000,
    };
    const active: ActiveServe = {
      handler: handler as ServeHandler,
      onError: typeof options.onError === "function" ? (options.onError as (error: unknown) => unknown) : null,
      inflight: 0,
    };
    this.#active = active;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const shutdown = (): Promise<void> => {
      if (this.#active === active) this.#active = null;
      if (active.inflight === 0) finish();
      else this.#drained = finish;
      return finished;
    };
    if (options.signal) {
      if (options.signal.aborted) void shutdown();
      else options.signal.addEventListener("abort", () => void shutdown(), { once: true });
    }
    if (typeof options.onListen === "function") options.onListen({ ...addr });
    return Object.freeze({
      addr: Object.freeze(addr),
      finished,
      shutdown,
      ref() {},
      unref() {},
      [Symbol.asyncDispose]: shutdown,
    });
  }

  /** A request of `active` ended: a server shut down while serving it finishes now. */
  settled(active: ActiveServe): void {
    active.inflight--;
    if (active.inflight === 0 && this.#active !== active && this.#drained) {
      this.#drained();
      this.#drained = null;
    }
  }
}

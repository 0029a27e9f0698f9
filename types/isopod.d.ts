// Types for isopod packages: `ctx`, which every lifecycle hook receives, and the
// shape of the entry module's default export. Types only: nothing here runs.

/**
 * The package's only door to the host.
 *
 * @example
 * ```ts
 * import type * as isopod from "./isopod.d.ts";
 *
 * export default {
 *   start(ctx) {
 *     console.log(`${ctx.package.name} ${ctx.package.version} started`, ctx.config);
 *   },
 * } satisfies isopod.Package;
 * ```
 */
export interface Context {
  /** This package, as its deno.json names it. */
  readonly package: { readonly name: string; readonly version: string };
  /** Resources shared between packages, as `<package>/<name>`. */
  readonly registry: Registry;
  /** Set by the administrator for this package (`isopod add --config`). */
  readonly config: Readonly<Record<string, unknown>>;
}

/**
 * Functions a package publishes. Each is called with `this` set to the object
 * given to `provide`; arguments and the result (or what a returned promise
 * resolves to) cross isolates as structured clones, at most about 4 MiB each.
 * Names are identifiers; `then` is refused (it would make handles thenable).
 */
// deno-lint-ignore no-explicit-any
export type ResourceMethods = Record<string, (...args: any[]) => unknown>;

/**
 * A resource of another package, as `registry.use` gives it: every call
 * answers a promise of a copy of the provider's result. It rejects with the
 * provider's error (its name and message only), or with an error of the
 * registry's own that has a `code` (see {@link RegistryErrorCode}).
 */
// deno-lint-ignore no-explicit-any
export type RemoteResource = Record<string, (...args: any[]) => Promise<unknown>>;

/**
 * `error.code` of the errors the registry raises itself, beside their class:
 * `not_capable` (`Deno.errors.NotCapable`: the provider is not in
 * `isopod.dependencies`), `resource_not_found` / `method_not_found`
 * (`Deno.errors.NotFound`), `provider_not_running`
 * (`Deno.errors.ConnectionRefused`: it failed or is restarting; the handle
 * works again once it is back), `provider_stopped` (`Deno.errors.Interrupted`:
 * it stopped during the call), `timeout` (`Deno.errors.TimedOut`: no answer
 * within the provider's `timeoutMs`), `busy` (`Deno.errors.Busy`: 1024 calls
 * in flight already), `too_large` (`RangeError`), `depth_exceeded`
 * (`RangeError`: calls nested more than 64 deep). A value that cannot be
 * cloned rejects with a `DOMException` named `DataCloneError`.
 */
export type RegistryErrorCode =
  | "not_capable"
  | "resource_not_found"
  | "method_not_found"
  | "provider_not_running"
  | "provider_stopped"
  | "timeout"
  | "busy"
  | "too_large"
  | "depth_exceeded";

export interface Registry {
  /**
   * Publishes `methods` as `<this package>/<name>` until this package's
   * isolate stops. A name matches `^[A-Za-z0-9._-]{1,128}$`; providing the
   * same name twice throws `Deno.errors.AlreadyExists`; a package provides at
   * most 1,000 resources.
   *
   * @example
   * ```ts
   * ctx.registry.provide("clock", { now: () => Date.now() });
   * ```
   */
  provide(name: string, methods: ResourceMethods): void;
  /**
   * A resource of a package that this one declares in `isopod.dependencies`;
   * anything else rejects with `Deno.errors.NotCapable`. A resource that is
   * not provided rejects with `Deno.errors.NotFound`. Keep the handle: it
   * reaches the provider by name, across the provider's restarts.
   *
   * @example
   * ```ts
   * const clock = await ctx.registry.use("@acme/clock", "clock");
   * const now = await clock.now();
   * ```
   */
  use(pkg: string, name: string): Promise<RemoteResource>;
}

/** What `deno serve` passes a fetch handler beside the request. */
export interface ServeHandlerInfo {
  readonly remoteAddr: { readonly transport: "tcp" | "udp"; readonly hostname: string; readonly port: number };
  readonly completed: Promise<void>;
}

/** A lifecycle hook. The host bounds each with the package's `timeoutMs` (wall time) and `cpuMs` (CPU time). */
export type Hook = (ctx: Context) => void | Promise<void>;

/**
 * The entry module's default export; every member is optional. The same
 * object runs under `deno serve -P mod.ts`, where only `fetch` is used.
 *
 * @example
 * ```ts
 * import type * as isopod from "./isopod.d.ts";
 *
 * export default {
 *   fetch(request) {
 *     return Response.json({ path: new URL(request.url).pathname });
 *   },
 * } satisfies isopod.Package;
 * ```
 */
export interface Package {
  /** Once, after the package is first added. */
  install?(ctx: Context): void | Promise<void>;
  /** At each start: provide resources, set timers. */
  start?(ctx: Context): void | Promise<void>;
  /** At each stop: release what start took. */
  stop?(ctx: Context): void | Promise<void>;
  /** Once, before the package is deleted. */
  uninstall?(ctx: Context): void | Promise<void>;
  /** HTTP handler for `/pkg/<name>/*`, as in `deno serve`; it sees the path after the prefix. */
  fetch?(request: Request, info: ServeHandlerInfo): Response | Promise<Response>;
}

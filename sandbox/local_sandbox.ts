// The Sandbox that runs isolates in this process. Each isolate is keyed by
// its instance id; events carry that id so stale ones can be told apart.

import { compressAnswer, DataPlane, wantsCompression, type DataPlaneAddress } from "./dataplane/index.ts";
import { SandboxFailure } from "./failure.ts";
import { PackageIsolate } from "./host/package_isolate.ts";
import { Registry } from "./registry/registry.ts";
import { WarmIsolates } from "./host/warm_isolates.ts";
import type {
  HookName,
  IsolateSpec,
  IsolateStats,
  ResourceInfo,
  Sandbox,
  SandboxEvent,
  SandboxRequest,
  SandboxResponse,
} from "./sandbox.ts";

export interface LocalSandboxOptions {
  /**
   * Keeps `size` (1–2, default 1) isolates of `memoryMb` (the host's default limit)
   * ready with the runtime run in them, for faster starts; ~2 MiB each. None without it.
   */
  warmIsolates?: { memoryMb: number; size?: number } | undefined;
}

export class LocalSandbox implements Sandbox {
  readonly #isolates = new Map<string, PackageIsolate>();
  /** Prepared isolates a start takes when its memory limit fits (host/warm_isolates.ts). */
  readonly warm: WarmIsolates | undefined;
  readonly #listeners: ((event: SandboxEvent) => void)[] = [];
  /** Calls between packages of this sandbox stay in it. */
  readonly #registry = new Registry();
  /** Isolates whose package opted in to Deno's automatic response compression (its env). */
  readonly #compressing = new Set<string>();
  /** `/pkg` served here, once `listen` is called. */
  readonly #plane = new DataPlane(
    (instanceId, request) => this.request(instanceId, request),
    (counts) => this.#emit({ type: "requests", counts }),
  );

  constructor(options: LocalSandboxOptions = {}) {
    if (options.warmIsolates) {
      this.warm = new WarmIsolates(options.warmIsolates);
      void this.warm.refill();
    }
  }

  /** Serves `/pkg/{name}/*` for the packages routed here; resolves with the URL. */
  listen(address: DataPlaneAddress): Promise<string> {
    return this.#plane.listen(address);
  }

  async route(packageName: string, instanceId: string | null): Promise<void> {
    this.#plane.route(packageName, instanceId);
  }

  settled(instanceId: string, ms: number): Promise<void> {
    return this.#plane.settled(instanceId, ms);
  }

  onEvent(listener: (event: SandboxEvent) => void): void {
    this.#listeners.push(listener);
  }

  #emit(event: SandboxEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  async load(spec: IsolateSpec): Promise<void> {
    if (this.#isolates.has(spec.instanceId)) throw new Error(`instance ${spec.instanceId} is already loaded`);
    const { instanceId, packageName } = spec;
    const registry = this.#registry.join(spec);
    let isolate: PackageIsolate;
    try {
      isolate = await PackageIsolate.load(spec, {
        log: (level, message) => this.#emit({ type: "log", instanceId, packageName, level, message, ts: Date.now() }),
        exit: (reason, message) => {
          this.#isolates.delete(instanceId);
          this.#compressing.delete(instanceId);
          this.#plane.forget(instanceId);
          this.#registry.leave(instanceId, reason);
          this.#emit({ type: "exit", instanceId, packageName, reason, message });
        },
        registry,
      }, this.warm);
    } catch (error) {
      this.#registry.leave(instanceId, "disposed");
      throw error;
    }
    this.#isolates.set(instanceId, isolate);
    if (wantsCompression(spec.env)) this.#compressing.add(instanceId);
    this.#registry.attach(instanceId, isolate);
  }

  #get(instanceId: string): PackageIsolate {
    const isolate = this.#isolates.get(instanceId);
    if (!isolate) throw new SandboxFailure("disposed", `no isolate ${instanceId} is loaded`);
    return isolate;
  }

  async hook(instanceId: string, hook: HookName): Promise<void> {
    await this.#get(instanceId).hook(hook);
    if (hook === "start") this.#registry.started(instanceId);
  }

  /** The one place a /pkg answer is made, for the admin port and the data plane alike. */
  async request(instanceId: string, request: SandboxRequest): Promise<SandboxResponse> {
    const answer = this.#get(instanceId).request(request);
    return this.#compressing.has(instanceId) ? compressAnswer(await answer, request.head.headers) : answer;
  }

  async dispose(instanceId: string): Promise<void> {
    this.#isolates.get(instanceId)?.dispose();
    this.#isolates.delete(instanceId);
    this.#compressing.delete(instanceId);
    this.#plane.forget(instanceId);
    this.#registry.leave(instanceId, "disposed");
  }

  async stats(): Promise<IsolateStats[]> {
    const all = await Promise.all([...this.#isolates.values()].map((isolate) => isolate.stats()));
    return all.filter((stats) => stats !== undefined);
  }

  async resources(): Promise<ResourceInfo[]> {
    return this.#registry.list();
  }

  async close(): Promise<void> {
    await this.warm?.close();
    await this.#plane.close();
    for (const id of [...this.#isolates.keys()]) await this.dispose(id);
  }

  /** How many isolates are alive. */
  get size(): number {
    return this.#isolates.size;
  }
}

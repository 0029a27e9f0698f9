// A real sandbox that also records which package's hooks ran, in order, and
// lets a test check a condition at the moment each hook is called.

import {
  LocalSandbox,
  type HookName,
  type IsolateSpec,
  type IsolateStats,
  type ResourceInfo,
  type Sandbox,
  type SandboxEvent,
  type SandboxRequest,
  type SandboxResponse,
} from "../../sandbox/index.ts";

export interface HookCall {
  hook: HookName;
  name: string;
}

export class RecordingSandbox implements Sandbox {
  readonly #inner = new LocalSandbox();
  readonly #names = new Map<string, string>();
  /** Every hook call, in order. */
  readonly calls: HookCall[] = [];
  /** Packages whose `start` hook succeeded and whose isolate is not disposed yet. */
  readonly live = new Set<string>();
  readonly #liveInstance = new Map<string, string>();
  /** Called before each hook runs. */
  beforeHook: (call: HookCall) => void = () => {};

  async load(spec: IsolateSpec): Promise<void> {
    this.#names.set(spec.instanceId, spec.packageName);
    await this.#inner.load(spec);
  }

  async hook(instanceId: string, hook: HookName): Promise<void> {
    const call = { hook, name: this.#names.get(instanceId) ?? "?" };
    this.beforeHook(call);
    this.calls.push(call);
    await this.#inner.hook(instanceId, hook);
    if (hook === "start") {
      this.live.add(call.name);
      this.#liveInstance.set(call.name, instanceId);
    }
  }

  async dispose(instanceId: string): Promise<void> {
    const name = this.#names.get(instanceId);
    if (name !== undefined && this.#liveInstance.get(name) === instanceId) {
      this.live.delete(name);
      this.#liveInstance.delete(name);
    }
    this.#names.delete(instanceId);
    await this.#inner.dispose(instanceId);
  }

  request(instanceId: string, request: SandboxRequest): Promise<SandboxResponse> {
    return this.#inner.request(instanceId, request);
  }

  stats(): Promise<IsolateStats[]> {
    return this.#inner.stats();
  }

  resources(): Promise<ResourceInfo[]> {
    return this.#inner.resources();
  }

  onEvent(listener: (event: SandboxEvent) => void): void {
    this.#inner.onEvent(listener);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

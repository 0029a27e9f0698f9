// Several sandbox processes as one Sandbox (ISOPOD_SANDBOX_PROCESSES): every
// package runs in each, all share the data port, a crash costs one process.

import { createServer, type AddressInfo } from "node:net";
import type { DataPlaneAddress } from "../dataplane/index.ts";
import type { HookName, IsolateSpec, IsolateStats, ResourceInfo, Sandbox, SandboxEvent, SandboxRequest, SandboxResponse } from "../sandbox.ts";
import { mergeIsolateStats, mergeResources } from "./pool_merge.ts";
import { ProcessSandbox, type ProcessSandboxOptions, type ProcessSandboxStatus, type SupervisionEvent } from "./process_sandbox.ts";

export interface SandboxPoolOptions extends ProcessSandboxOptions {
  /** How many sandbox processes; at least 2 (one is a plain ProcessSandbox). */
  processes: number;
}

export type SandboxPoolStatus = ProcessSandboxStatus & { processes: ProcessSandboxStatus[] };

interface Member {
  readonly index: number;
  readonly sandbox: ProcessSandbox;
  /** Instances loaded (or being loaded) in this process. */
  readonly loaded: Set<string>;
}

interface Instance {
  readonly spec: IsolateSpec;
  /** Its `start` hook succeeded: a process that comes back after a crash runs it again. */
  started: boolean;
}

export class SandboxPool implements Sandbox {
  readonly #members: Member[] = [];
  readonly #instances = new Map<string, Instance>();
  /** Package → the instance its `/pkg` traffic goes to, replayed into a process that comes back. */
  readonly #routes = new Map<string, string>();
  readonly #listeners: ((event: SandboxEvent) => void)[] = [];
  readonly #supervisors: ((event: SupervisionEvent) => void)[] = [];
  /** Shared by every member (read when a process is spawned): port 0 is replaced by one free port before the first. */
  readonly #pkg: DataPlaneAddress | undefined;
  #port: Promise<void> | undefined;
  #next = 0;
  #closed = false;

  constructor(options: SandboxPoolOptions) {
    this.#pkg = options.pkg && { ...options.pkg, reusePort: true };
    for (let index = 0; index < options.processes; index++) {
      const member: Member = { index, sandbox: new ProcessSandbox({ ...options, pkg: this.#pkg }), loaded: new Set() };
      member.sandbox.onEvent((event) => this.#event(member, event));
      member.sandbox.onSupervision((event) => this.#supervision(member, event));
      this.#members.push(member);
    }
  }

  onEvent(listener: (event: SandboxEvent) => void): void {
    this.#listeners.push(listener);
  }

  /** Crashes of any of the processes (restarts are handled here: the process reloads what the others run). */
  onSupervision(listener: (event: SupervisionEvent) => void): void {
    this.#supervisors.push(listener);
  }

  status(): SandboxPoolStatus {
    const processes = this.#members.map((member) => member.sandbox.status());
    const up = processes.find((status) => status.state === "up");
    return {
      state: up ? "up" : processes[0]!.state,
      pid: up?.pid ?? null,
      ...(up?.pkgUrl !== undefined && { pkgUrl: up.pkgUrl }),
      crashes: processes.reduce((sum, status) => sum + status.crashes, 0),
      recentCrashes: Math.max(...processes.map((status) => status.recentCrashes)),
      processes,
    };
  }

  /** The processes' pids, those that are up (tests kill one). */
  get pids(): number[] {
    return this.#members.flatMap((member) => member.sandbox.pid ?? []);
  }

  async load(spec: IsolateSpec): Promise<void> {
    await this.#ready();
    this.#instances.set(spec.instanceId, { spec, started: false });
    const members = this.#members.filter((member) => member.sandbox.status().state !== "down");
    const results = await Promise.allSettled(members.map((member) => this.#loadIn(member, spec)));
    const failure = failureOf(results);
    if (failure === undefined) return;
    this.#instances.delete(spec.instanceId);
    await this.dispose(spec.instanceId);
    throw failure;
  }

  async hook(instanceId: string, hook: HookName): Promise<void> {
    const members = this.#holding(instanceId);
    const results = await Promise.allSettled((members.length > 0 ? members : this.#members.slice(0, 1)).map((member) => member.sandbox.hook(instanceId, hook)));
    const failure = failureOf(results);
    if (failure !== undefined) throw failure;
    const instance = this.#instances.get(instanceId);
    if (instance && (hook === "start" || hook === "stop")) instance.started = hook === "start";
  }

  /** One process, round robin among those that hold the instance and are up. */
  request(instanceId: string, request: SandboxRequest): Promise<SandboxResponse> {
    const holding = this.#holding(instanceId);
    const up = holding.filter((member) => member.sandbox.status().state === "up");
    const choice = up.length > 0 ? up : holding.length > 0 ? holding : this.#members;
    const member = choice[this.#next++ % choice.length]!;
    return member.sandbox.request(instanceId, request);
  }

  async dispose(instanceId: string): Promise<void> {
    this.#instances.delete(instanceId);
    for (const [name, routed] of this.#routes) if (routed === instanceId) this.#routes.delete(name);
    await Promise.all(
      this.#members.map((member) => {
        member.loaded.delete(instanceId);
        return member.sandbox.dispose(instanceId);
      }),
    );
  }

  async stats(): Promise<IsolateStats[]> {
    return mergeIsolateStats(await Promise.all(this.#members.map((member) => member.sandbox.stats())));
  }

  async resources(): Promise<ResourceInfo[]> {
    return mergeResources(await Promise.all(this.#members.map((member) => member.sandbox.resources())));
  }

  async route(packageName: string, instanceId: string | null): Promise<void> {
    if (instanceId === null) this.#routes.delete(packageName);
    else this.#routes.set(packageName, instanceId);
    await Promise.all(this.#members.map((member) => member.sandbox.route(packageName, instanceId)));
  }

  async settled(instanceId: string, ms: number): Promise<void> {
    await Promise.all(this.#members.map((member) => member.sandbox.settled(instanceId, ms)));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#instances.clear();
    await Promise.all(this.#members.map((member) => member.sandbox.close()));
  }

  #holding(instanceId: string): Member[] {
    return this.#members.filter((member) => member.loaded.has(instanceId));
  }

  #loadIn(member: Member, spec: IsolateSpec): Promise<void> {
    member.loaded.add(spec.instanceId);
    return member.sandbox.load(spec).catch((error: unknown) => {
      member.loaded.delete(spec.instanceId);
      throw error;
    });
  }

  /** With port 0, every process must still listen on the same port: one free port is picked first. */
  #ready(): Promise<void> {
    const pkg = this.#pkg;
    if (pkg === undefined || pkg.port !== 0) return Promise.resolve();
    this.#port ??= freePort(pkg.hostname).then((port) => {
      pkg.port = port;
    });
    return this.#port;
  }

  #event(member: Member, event: SandboxEvent): void {
    if (event.type !== "exit") return this.#emit(event);
    if (this.#closed || !this.#instances.has(event.instanceId)) return;
    member.loaded.delete(event.instanceId);
    // A crash of the process: the others keep serving, and this one reloads the instance when it is back.
    if (event.reason === "sandbox-crash") return;
    // Anything else (a limit, the isolate ended): the instance is gone everywhere, and the control plane hears it once.
    this.#instances.delete(event.instanceId);
    void this.dispose(event.instanceId);
    this.#emit(event);
  }

  #supervision(member: Member, event: SupervisionEvent): void {
    if (event.type === "crash") {
      const message = `sandbox process ${member.index + 1} of ${this.#members.length}: ${event.message} (the others keep serving)`;
      for (const listener of this.#supervisors) listener({ ...event, message });
    } else if (!event.crashLoop) {
      void this.#reload(member);
    }
  }

  /** A process is back after a crash: it loads, starts and routes what the pool runs, one instance after another. */
  async #reload(member: Member): Promise<void> {
    for (const [instanceId, instance] of [...this.#instances]) {
      if (member.loaded.has(instanceId) || this.#closed) continue;
      try {
        await this.#loadIn(member, instance.spec);
        if (instance.started) await member.sandbox.hook(instanceId, "start");
        const name = instance.spec.packageName;
        if (this.#routes.get(name) === instanceId) await member.sandbox.route(name, instanceId);
        if (!this.#instances.has(instanceId)) throw new Error("disposed meanwhile");
      } catch {
        // This process goes without it; the others serve it.
        member.loaded.delete(instanceId);
        await member.sandbox.dispose(instanceId);
      }
    }
  }

  #emit(event: SandboxEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

/** The first failure that is not a crash of one process; a crash only when every process failed. */
function failureOf(results: PromiseSettledResult<void>[]): unknown {
  const failures = results.flatMap((result) => (result.status === "rejected" ? [result.reason as unknown] : []));
  if (failures.length === 0) return undefined;
  const real = failures.find((error) => (error as { reason?: unknown }).reason !== "sandbox-crash");
  if (real !== undefined) return real;
  return failures.length === results.length ? failures[0] : undefined;
}

function freePort(hostname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, hostname, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

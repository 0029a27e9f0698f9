// A host: the data folder, the store, the sandbox, the package manager and
// the tokens, put together and taken apart in the right order.

import { mkdir } from "node:fs/promises";
import { Store } from "../db/index.ts";
import { LocalSandbox, ProcessSandbox, SandboxPool, type ProcessSandboxStatus, type Sandbox } from "../sandbox/index.ts";
import { Audit } from "./lifecycle/audit.ts";
import type { HostConfig } from "./config.ts";
import { ControlPipe } from "./control/pipe.ts";
import { controlTargetOf } from "./control/target.ts";
import { DataLayout } from "./layout.ts";
import { Fleet, FleetPackageManager } from "./fleet/index.ts";
import { LogHub } from "./observe/log_hub.ts";
import { Metrics } from "./observe/metrics.ts";
import { operationsOf, type LifecycleOperations } from "./lifecycle/operations.ts";
import { PackageManager } from "./lifecycle/package_manager.ts";
import { Retention } from "./observe/retention.ts";
import { resourceStatsOf } from "./views/resource_view.ts";
import { SandboxRecovery } from "./lifecycle/sandbox_recovery.ts";
import { StatsCollector } from "./observe/stats_collector.ts";
import { StatsCounters } from "./observe/stats_counters.ts";
import { StatsSampler } from "./observe/stats_sampler.ts";
import { TokenService } from "./tokens.ts";

export class Host {
  readonly config: HostConfig;
  readonly layout: DataLayout;
  readonly store: Store;
  readonly sandbox: Sandbox;
  readonly packages: PackageManager;
  /** What the actor and the control pipe drive; see runtime/lifecycle/operations.ts. */
  readonly operations: LifecycleOperations;
  readonly tokens: TokenService;
  /** The audit log every door writes to: who did what, with what result. */
  readonly audit: Audit;
  readonly logs: LogHub;
  /** Per-package counters: the /pkg route calls `stats.countRequest(name, status)`. */
  readonly stats = new StatsCounters();
  readonly collector: StatsCollector;
  readonly sampler: StatsSampler;
  readonly retention: Retention;
  readonly metrics: Metrics;
  /** Brings packages back after the sandbox process crashed and restarted. */
  readonly recovery: SandboxRecovery;
  /** The fleet this host belongs to, when `ISOPOD_FLEET` names one (docs/fleet.md). */
  readonly fleet: Fleet | undefined;
  readonly startedAt = Date.now();
  /** The host log; the control pipe writes its results here. Tests may replace it. */
  log: (line: string) => void = (line) => console.log(`isopod: ${line}`);
  #pipe: ControlPipe | undefined;
  #closing: Promise<void> | undefined;
  #pkgUrl: string | undefined;

  private constructor(config: HostConfig, layout: DataLayout) {
    this.config = config;
    this.layout = layout;
    this.store = new Store(layout.database, {
      logLinesPerPackage: config.logLinesPerPackage,
      logBytesPerPackage: config.logs.bytesPerPackage,
    });
    this.sandbox = sandboxOf(config, layout);
    this.logs = new LogHub(this.store, {
      rate: { lines: config.logs.rateLines, bytes: config.logs.rateBytes },
      maxFollowers: config.logs.maxFollowers,
    });
    this.sandbox.onEvent((event) => {
      if (event.type === "log") this.logs.append(event.packageName, event.level, event.message, event.ts);
      if (event.type === "exit") this.stats.countFailure(event.packageName, event.reason);
      if (event.type === "dropped") this.logs.countDropped(event.packageName, event.lines, event.bytes);
      if (event.type === "requests") for (const [name, status, count] of event.counts) this.stats.countRequest(name, status, count);
    });
    this.collector = new StatsCollector({
      store: this.store,
      sandbox: this.sandbox,
      counters: this.stats,
      logs: this.logs,
      startedAt: this.startedAt,
    });
    this.collector.setResourceSource(() => resourceStatsOf(this.sandbox));
    this.sampler = new StatsSampler(this.collector, this.store, this.stats, config.statsIntervalMs);
    this.retention = new Retention(this.store, config.retention);
    this.metrics = new Metrics(() => this.collector.collect());
    this.audit = new Audit(this.store);
    // In a fleet, every door's operation also writes the fleet's desired state (runtime/fleet/).
    const Manager = config.fleet ? FleetPackageManager : PackageManager;
    this.packages = new Manager(this.store, this.sandbox, layout, config, {
      log: (name, level, message) => this.logs.append(name, level, message),
      audit: this.audit,
    });
    this.fleet =
      config.fleet && this.packages instanceof FleetPackageManager
        ? new Fleet(config.fleet, { layout, packages: this.packages, log: (line) => this.log(line) })
        : undefined;
    this.packages.onRestart((name) => this.stats.countRestart(name));
    this.operations = operationsOf(this.packages);
    this.tokens = new TokenService(this.store, config.adminToken);
    this.recovery = new SandboxRecovery(this.packages, this.stats, (line) => this.log(line));
    if (isSupervised(this.sandbox)) this.sandbox.onSupervision((event) => this.recovery.handle(event));
  }

  /** Where the isolates run: `inline`, or the sandbox process and how it is doing. */
  /** CPU, wall time and heap of every isolate that runs (`GET /v1/isolates`). */
  isolates(): ReturnType<Sandbox["stats"]> {
    return this.sandbox.stats();
  }

  /** Every resource the packages provide, with its provider (`GET /v1/resources`). */
  resources(): ReturnType<Sandbox["resources"]> {
    return this.sandbox.resources();
  }

  /** Where `/pkg` is served without the control plane (`ISOPOD_PKG_PORT`): known once the sandbox listens. */
  get pkgUrl(): string | undefined {
    return isSupervised(this.sandbox) ? this.sandbox.status().pkgUrl : this.#pkgUrl;
  }

  sandboxStatus(): { mode: "inline"; pkgUrl?: string } | ({ mode: "process" } & ProcessSandboxStatus) {
    if (isSupervised(this.sandbox)) return { mode: "process", ...this.sandbox.status() };
    return { mode: "inline", ...(this.#pkgUrl !== undefined && { pkgUrl: this.#pkgUrl }) };
  }

  /** Opens (or creates) the data folder and its database. */
  static async open(config: HostConfig): Promise<Host> {
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    return new Host(config, new DataLayout(config.dataDir));
  }

  /**
   * Creates the first admin token if needed, applies retention, then brings back the packages that should run;
   * in a fleet, then reconciles to the fleet's desired state. `address`: where this host serves, for the fleet view.
   */
  async boot(options: { address?: string } = {}): Promise<{ adminTokenFile: string | undefined }> {
    const adminTokenFile = await this.tokens.ensureAdminToken(this.layout.adminTokenFile);
    await this.retention.run();
    this.retention.start();
    const { pkgPort, host: hostname } = this.config;
    if (this.sandbox instanceof LocalSandbox && pkgPort !== undefined) this.#pkgUrl = await this.sandbox.listen({ hostname, port: pkgPort });
    await this.packages.restore();
    await this.fleet?.join(options.address ?? `http://${this.config.host}:${this.config.port}`);
    this.sampler.start();
    this.#pipe = ControlPipe.open(this.layout.controlPipe, {
      target: controlTargetOf(this),
      audit: this.audit,
      log: (line) => this.log(line),
    });
    return { adminTokenFile };
  }

  /** The control pipe, once boot has opened it. */
  get controlPipe(): ControlPipe | undefined {
    return this.#pipe;
  }

  /** Takes the host apart; calling it again waits for the same close. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    await this.fleet?.close();
    await this.packages.close();
    await this.#pipe?.close();
    await this.sampler.stop();
    await this.retention.stop();
    this.logs.close();
    await this.sandbox.close();
    await this.recovery.idle();
    this.store.close();
  }
}

function sandboxOf(config: HostConfig, layout: DataLayout): Sandbox {
  // Starts with the default memory limit take an isolate made ahead, the runtime run in it (docs/decisions.md, "Cold start, round three").
  const warmMemoryMb = config.caps.defaultMemoryMb;
  if (config.sandbox.mode === "inline") return new LocalSandbox({ warmIsolates: { memoryMb: warmMemoryMb } });
  const { backoffMs, maxCrashes, crashWindowMs } = config.sandbox;
  const pkg = config.pkgPort === undefined ? undefined : { hostname: config.host, port: config.pkgPort };
  const options = { backoffMs, maxCrashes, crashWindowMs, cacheDir: layout.sandboxCache, pkg, warmMemoryMb };
  return config.sandbox.processes > 1 ? new SandboxPool({ ...options, processes: config.sandbox.processes }) : new ProcessSandbox(options);
}

/** The sandbox processes the host supervises: one, or a pool of them. */
function isSupervised(sandbox: Sandbox): sandbox is ProcessSandbox | SandboxPool {
  return sandbox instanceof ProcessSandbox || sandbox instanceof SandboxPool;
}

// The lifecycle of packages: add, start, stop, reload, delete, restore. It
// takes the locks and asks the graph for the order; batch.ts runs the steps, lifecycle_steps.ts does each one.

import type { PackageRecord, Store } from "../../db/index.ts";
import type { Sandbox, SandboxRequest, SandboxResponse } from "../../sandbox/index.ts";
import { Audit, HOST_ACTOR, type Actor } from "./audit.ts";
import { auditedBatch, dependentsFirst, hasDependents, startInOrder, type BatchReport, type PackageFacts } from "./batch.ts";
import { Bundler } from "../packages/bundler.ts";
import type { HostConfig } from "../config.ts";
import { DependencyGraph } from "../graph/dependency_graph.ts";
import { IsopodError, messageOf } from "../errors.ts";
import { checkDependencies, type AddOptions, type PreparedPackage } from "../packages/installer.ts";
import type { DataLayout } from "../layout.ts";
import { LifecycleSteps, type PackageLog } from "./steps.ts";
import { PackageLocks } from "./package_locks.ts";
import { PackageRunner } from "./package_runner.ts";
import { Swaps } from "./swaps.ts";
import { restartSettingsOf } from "../restart/restart_policy.ts";
import { Restarter, type RestartOutcome } from "../restart/restarter.ts";
import { Dependencies } from "../packages/index.ts";
import { installSourcedDependencies, type AddContext } from "./source_dependencies.ts";
import { FolderSource, GitSource, type Source } from "../sources/index.ts";

export type { AddRequest };
import { addPackage, type AddHost, type AddRequest } from "./add.ts";
import { upgradePackage, type UpgradeHost, type UpgradeResult } from "./upgrade.ts";

export interface DeleteOptions {
  /** Delete what depends on the package too, dependents first. Default false: refused while it has dependents. */
  cascade?: boolean;
}

export class PackageManager {
  readonly #store: Store;
  readonly #bundler: Bundler;
  readonly #runner: PackageRunner;
  readonly #locks: PackageLocks;
  readonly #audit: Audit;
  readonly #steps: LifecycleSteps;
  readonly #git: GitSource;
  readonly #folders = new FolderSource();
  readonly #restarts: Restarter;
  readonly #swaps: Swaps;
  #graphCache: { revision: number; graph: DependencyGraph } | undefined;

  /**
   * `log` writes the host's own lines about a package (a failed stop hook); by default straight to the store.
   * `audit` is the host's one audit log; by default one over `store`.
   */
  constructor(store: Store, sandbox: Sandbox, layout: DataLayout, config: HostConfig, options: { log?: PackageLog; audit?: Audit } = {}) {
    const log = options.log;
    this.#store = store;
    this.#bundler = new Bundler(layout.bundleCache, new Dependencies(layout.dependencyCache, config.dependencies, {
      archive: config.archive,
      inUse: () => store.packages.cacheEntriesInUse(),
    }));
    this.#runner = new PackageRunner(sandbox, config.caps, layout, { graceMs: config.stopGraceMs });
    this.#locks = new PackageLocks(config.lockWaitMs);
    this.#audit = options.audit ?? new Audit(store);
    const packageLog: PackageLog = log ?? ((name, level, message) => void store.logs.append(name, level, message));
    this.#steps = new LifecycleSteps(store, this.#runner, this.#bundler, { layout, log: packageLog });
    this.#swaps = new Swaps({
      locks: this.#locks,
      steps: this.#steps,
      bundler: this.#bundler,
      list: () => this.list(),
      graph: () => this.#graph(),
      starter: () => this.#starter(),
    });
    this.#restarts = new Restarter({
      store,
      settingsOf: (name) => {
        const record = this.#store.packages.get(name);
        return record && restartSettingsOf(record.manifest.restart, config.restart);
      },
      restart: (name, attempt, wanted) => this.#restart(name, attempt, wanted),
      log: packageLog,
    });
    this.#git = new GitSource(layout, {
      baseUrl: config.githubApi,
      token: config.githubToken,
      retries: config.githubRetries,
      retryDelayMs: config.githubRetryDelayMs,
      timeoutMs: config.githubTimeoutMs,
      bounds: config.archive,
    });
    this.#runner.onExit((name, reason, message) => {
      if (this.#store.packages.get(name)?.state !== "running") return;
      this.#store.packages.setState(name, "failed", { code: reason, message, at: Date.now() });
      // A crash of the whole sandbox process is SandboxRecovery's to answer, in dependency order, as one batch.
      if (reason !== "sandbox-crash") this.#restarts.failed(name, reason, message);
    });
  }

  get(name: string): PackageRecord {
    return this.#steps.get(name);
  }

  /** Forwards an HTTP request to a package's `fetch` (the /pkg route); 404 unknown, 503 not running. */
  forward(name: string, request: SandboxRequest): Promise<SandboxResponse> {
    if (!this.#runner.isRunning(name)) this.get(name); // no SQLite read on the hot path
    return this.#runner.forward(name, request);
  }

  list(): PackageRecord[] {
    return this.#store.packages.list();
  }

  /** Adds a package; already there by name and source without `reload`: returns it untouched. */
  add(request: AddRequest, actor: Actor, context: AddContext = { chain: [] }): Promise<PackageRecord> {
    const params = { path: request.path, gitUrl: request.gitUrl, reload: request.reload, start: request.start };
    return this.#audit.record(actor, "add", null, params, () => addPackage(request, context, this.#addHost(actor)));
  }

  #addHost(actor: Actor): AddHost {
    return {
      store: this.#store,
      bundler: this.#bundler,
      git: this.#git,
      install: (prepared, options, keepForStart) => this.#install(prepared, options, keepForStart),
      release: (name) => this.#steps.release(name),
      replace: (prepared, options) => this.#replaceOne(prepared, options, actor),
      start: (name) => this.#startOne(name, actor),
      installDependencies: (manifest, context) => this.#installDependencies(manifest, actor, context),
    };
  }

  #installDependencies(manifest: PreparedPackage["manifest"], actor: Actor, context: AddContext): Promise<void> {
    return installSourcedDependencies(manifest, this.#store, context, (url, next) => this.add({ gitUrl: url }, actor, next));
  }

  /** Upgrades a package from its source: unchanged, nothing happens; a new version that fails is rolled back. */
  upgrade(name: string, actor: Actor): Promise<UpgradeResult> {
    this.#restarts.reset([name]);
    return this.#audit.record(actor, "upgrade", name, {}, () => upgradePackage(name, this.#upgradeHost(actor)));
  }

  /** Upgrades each package in turn, each rolled back on its own failure; one result per name. */
  upgradeAll(names: readonly string[], actor: Actor): Promise<BatchReport> {
    this.#restarts.reset(names);
    return this.#batch("upgrade", names, actor, {}, async (report) => {
      for (const name of names) await report.step(name, () => upgradePackage(name, this.#upgradeHost(actor)));
    });
  }

  #upgradeHost(actor: Actor): UpgradeHost {
    return {
      store: this.#store,
      bundler: this.#bundler,
      sourceOf: (record): Source => (record.source.kind === "git" ? this.#git : this.#folders),
      exclusive: (name, fn) => this.#locks.runScoped(() => this.#graph().withDependents([name]), fn),
      isRunning: (name) => this.#steps.isRunning(name),
      stop: async (name) => void (await this.#steps.stop(name)),
      start: async (name) => void (await this.#steps.start(name)),
      installDependencies: (manifest) => this.#installDependencies(manifest, actor, { chain: [] }),
    };
  }

  /** Records the package and runs its `install` hook, holding its dependencies in place meanwhile. */
  #install(prepared: PreparedPackage, options: AddOptions, keepForStart: boolean): Promise<PackageRecord> {
    const { name, dependencies } = prepared.manifest;
    return this.#locks.runAll([name, ...Object.keys(dependencies)], async () => {
      checkDependencies(prepared.manifest, this.#store);
      return this.#steps.install(prepared, options, keepForStart);
    });
  }

  /** A re-add with `reload`: a reload of one package with the files just read and the request's grant, env and config. */
  async #replaceOne(prepared: PreparedPackage, options: AddOptions, actor: Actor): Promise<PackageRecord> {
    const { name } = prepared.manifest;
    this.#restarts.reset([name]);
    const report = await this.#batch("reload", [name], actor, { via: "add" }, (batch) =>
      this.#swaps.replace(batch, new Map([[name, prepared]]), options),
    );
    report.outcome(name);
    return this.get(name);
  }

  /**
   * Starts each package and, first, what it depends on: nothing twice, cycles
   * refused with the cycle named, the rest of the batch goes on.
   */
  start(names: readonly string[], actor: Actor, params: Record<string, unknown> = {}): Promise<BatchReport> {
    this.#restarts.reset(names);
    return this.#batch("start", names, actor, params, (report) =>
      this.#locks.runScoped(
        () => this.#graph().withDependencies(names),
        () => startInOrder(report, this.#graph(), names, this.#starter()),
      ),
    );
  }

  /**
   * The restart policy's start of one package: under the locks of it and its
   * dependencies, only if `wanted()` still holds then and the package is still
   * failed and meant to run. Dependencies are not started for it: one that is
   * not running fails the attempt (a crash-looping dependency stays down).
   */
  async #restart(name: string, attempt: number, wanted: () => boolean): Promise<RestartOutcome> {
    let ran = false;
    const report = await this.#batch("start", [name], HOST_ACTOR, { reason: "restart", attempt }, (batch) =>
      this.#locks.runScoped(
        () => this.#graph().withDependencies([name]),
        async () => {
          const record = this.#store.packages.get(name);
          if (!wanted() || record?.state !== "failed" || record.desiredState !== "running") return;
          ran = true;
          const blocker = Object.keys(record.dependencies).find((dependency) => !this.#steps.isRunning(dependency));
          if (blocker === undefined) await batch.step(name, () => this.#steps.start(name));
          else batch.refuse(name, new IsopodError("dependency_failed", `cannot restart "${name}": dependency "${blocker}" is not running`, { dependency: blocker }));
        },
      ),
    );
    const error = report.errorOf(name);
    if (!ran || error === undefined) return { ran };
    const reason = error instanceof IsopodError ? (error.details.reason ?? error.code) : "start_failed";
    return { ran, error: { code: String(reason), message: messageOf(error) } };
  }

  /** Listens to each restart the restart policy carries out. */
  onRestart(listener: (name: string) => void): void {
    this.#restarts.onRestart(listener);
  }

  /** Cancels pending restarts and waits for those under way; the host calls it when it closes. */
  close(): Promise<void> {
    return this.#restarts.close();
  }

  async #startOne(name: string, actor: Actor): Promise<PackageRecord> {
    (await this.start([name], actor)).outcome(name);
    return this.get(name);
  }

  /** Stops each package and, first, everything that depends on it; their desired state becomes stopped. */
  stop(names: readonly string[], actor: Actor): Promise<BatchReport> {
    this.#restarts.reset(names);
    return this.#batch("stop", names, actor, {}, (report) =>
      this.#locks.runScoped(
        () => this.#graph().withDependents(names),
        () =>
          dependentsFirst(report, this.#graph(), names, {
            ...this.#facts(),
            verb: "stop",
            needed: (name) => this.#steps.isRunning(name) || this.get(name).desiredState === "running",
            holds: (dependent) => this.#steps.isRunning(dependent),
            step: (name) => this.#steps.stop(name, "stopped"),
          }),
      ),
    );
  }

  /**
   * Re-reads each package from its files and re-validates it; accepted ones
   * are stopped with their running dependents, swapped, and started again.
   */
  reload(names: readonly string[], actor: Actor): Promise<BatchReport> {
    this.#restarts.reset(names);
    return this.#batch("reload", names, actor, {}, async (report) => {
      await this.#swaps.replace(report, await this.#swaps.reread(names, report), {});
    });
  }

  /** Deletes a package: refused while others depend on it, unless `cascade`; files to the trash, history kept. */
  delete(name: string, actor: Actor, options: DeleteOptions = {}): Promise<BatchReport> {
    const cascade = options.cascade ?? false;
    this.#restarts.reset([name]);
    return this.#batch("delete", [name], actor, { cascade }, (report) =>
      this.#locks.runScoped(
        () => this.#graph().withDependents([name]),
        async () => {
          this.get(name);
          const dependents = [...this.#graph().withDependents([name])].filter((other) => other !== name).sort();
          if (dependents.length > 0 && !cascade) throw hasDependents(name, dependents);
          await dependentsFirst(report, this.#graph(), [name], {
            ...this.#facts(),
            verb: "delete",
            needed: () => true,
            holds: (dependent) => this.#steps.isInstalled(dependent),
            step: (other) => this.#steps.remove(other),
          });
        },
      ),
    );
  }

  /** At host start: brings back every package whose desired state is running, in dependency order. */
  async restore(): Promise<BatchReport> {
    for (const record of this.list()) {
      if (["starting", "running", "stopping"].includes(record.state)) this.#store.packages.setState(record.name, "installed");
    }
    const names = this.list().filter((record) => record.desiredState === "running").map((record) => record.name);
    return this.start(names, HOST_ACTOR, { reason: "restore" });
  }

  /**
   * After the sandbox process came back from a crash: starts again, in dependency order, the
   * packages the crash took down (failed with `sandbox-crash`) whose desired state is running.
   */
  recover(): Promise<BatchReport> {
    const names = this.list()
      .filter((record) => record.desiredState === "running" && record.state === "failed" && record.error?.code === "sandbox-crash")
      .map((record) => record.name);
    return this.start(names, HOST_ACTOR, { reason: "sandbox-restart" });
  }

  get runningCount(): number {
    return this.#runner.runningCount;
  }

  /** `/pkg` requests of `name` in flight; a stop waits for them within the grace period. */
  inFlight(name: string): number {
    return this.#runner.inFlight(name);
  }

  /** The graph of what is installed, rebuilt only after the set of packages or their dependencies changed. */
  #graph(): DependencyGraph {
    const revision = this.#store.packages.revision;
    if (this.#graphCache?.revision !== revision) {
      this.#graphCache = { revision, graph: DependencyGraph.of(this.#store.packages.dependencyEdges()) };
    }
    return this.#graphCache.graph;
  }

  #facts(): PackageFacts {
    return { isInstalled: (name) => this.#steps.isInstalled(name), isRunning: (name) => this.#steps.isRunning(name) };
  }

  #starter() {
    return { ...this.#facts(), start: (name: string) => this.#steps.start(name) };
  }

  /** Runs a batch and writes its results to the audit log; a batch that fails as a whole refuses its names. */
  #batch(
    operation: string,
    names: readonly string[],
    actor: Actor,
    params: Record<string, unknown>,
    run: (report: BatchReport) => Promise<void>,
  ): Promise<BatchReport> {
    return auditedBatch(this.#audit, { operation, names, actor, params }, run);
  }

}

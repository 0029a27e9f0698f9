// The lifecycle of packages: add, start, stop, reload, delete, restore. It
// takes the locks and asks the graph for the order; batch.ts runs the steps, lifecycle_steps.ts does each one.

import type { PackageRecord, Store } from "../db/index.ts";
import type { Sandbox, SandboxRequest, SandboxResponse } from "../sandbox/index.ts";
import { Audit, HOST_ACTOR, type Actor } from "./audit.ts";
import { BatchReport, dependentsFirst, startInOrder, type PackageFacts } from "./batch.ts";
import { Bundler } from "./bundler.ts";
import type { HostConfig } from "./config.ts";
import { DependencyGraph } from "./dependency_graph.ts";
import { invalidPackage, IsopodError, messageOf, notFound } from "./errors.ts";
import { checkDependencies, preparePackage, type AddOptions, type PreparedPackage } from "./installer.ts";
import type { DataLayout } from "./layout.ts";
import { LifecycleSteps, type PackageLog } from "./lifecycle_steps.ts";
import { PackageLocks } from "./package_locks.ts";
import { PackageRunner } from "./package_runner.ts";
import { Dependencies } from "./packages/index.ts";
import { manifestOf } from "./package_view.ts";
import { resolvePathSource } from "./path_source.ts";
import { admitReplacements, replacementOf, reread } from "./replacement.ts";
import { restartSettingsOf } from "./restart_policy.ts";
import { Restarter, type RestartOutcome } from "./restarter.ts";
import { installSourcedDependencies, type AddContext } from "./source_dependencies.ts";
import { FolderSource, GitSource, type Source } from "./sources/index.ts";
import { upgradePackage, type UpgradeHost, type UpgradeResult } from "./upgrade.ts";

export interface AddRequest extends AddOptions {
  path?: string;
  gitUrl?: string;
  reload?: boolean;
  start?: boolean;
}

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

  /** `log` writes the host's own lines about a package (a failed stop hook); by default straight to the store. */
  constructor(store: Store, sandbox: Sandbox, layout: DataLayout, config: HostConfig, log?: PackageLog) {
    this.#store = store;
    this.#bundler = new Bundler(layout.bundleCache, new Dependencies(layout.dependencyCache, config.dependencies, {
      archive: config.archive,
      inUse: () => store.packages.cacheEntriesInUse(),
    }));
    this.#runner = new PackageRunner(sandbox, config.caps, layout, { graceMs: config.stopGraceMs });
    this.#locks = new PackageLocks(config.lockWaitMs);
    this.#audit = new Audit(store);
    const packageLog: PackageLog = log ?? ((name, level, message) => void store.logs.append(name, level, message));
    this.#steps = new LifecycleSteps(store, this.#runner, this.#bundler, { layout, log: packageLog });
    this.#restarts = new Restarter({
      store,
      settingsOf: (name) => {
        const record = this.#store.packages.get(name);
        return record && restartSettingsOf(manifestOf(record).restart, config.restart);
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
    return this.#audit.record(actor, "add", null, params, async () => {
      if (request.gitUrl !== undefined) return this.#addFromGit({ ...request, gitUrl: request.gitUrl }, actor, context);
      if (request.path === undefined) throw new IsopodError("bad_request", "give either git_url or path");
      const { root, source } = await resolvePathSource(request.path);
      const same = this.list().find((record) => record.source.kind === "path" && record.source.path === root);
      if (same && !request.reload) return request.start ? this.#startOne(same.name, actor) : same;
      const prepared = await preparePackage(root, source, request.grant, this.#bundler);
      const existing = this.#store.packages.get(prepared.manifest.name);
      if (existing && existing.source.path !== root) throw nameTaken(prepared.manifest.name, root, existing);
      await this.#installDependencies(prepared.manifest, actor, context);
      checkDependencies(prepared.manifest, this.#store);
      const record = existing
        ? await this.#replaceOne(prepared, request, actor)
        : await this.#install(prepared, request);
      return request.start || (!existing && prepared.manifest.autostart) ? this.#startOne(record.name, actor) : record;
    });
  }

  /** Adds from a GitHub URL; already there (same URL) without `reload`: nothing is fetched. */
  async #addFromGit(request: AddRequest & { gitUrl: string }, actor: Actor, context: AddContext): Promise<PackageRecord> {
    const url = this.#git.parse(request.gitUrl).url;
    const same = this.list().find((record) => record.source.kind === "git" && record.source.url === url);
    if (same && !request.reload) return request.start ? this.#startOne(same.name, actor) : same;
    const fetched = await this.#git.fetch(url);
    let record: PackageRecord;
    let existing: PackageRecord | undefined;
    let name: string | undefined;
    let settledRoot: string | undefined;
    let autostart = false;
    try {
      const prepared = await preparePackage(fetched.root, fetched.source, request.grant, this.#bundler);
      ({ name, autostart } = prepared.manifest);
      if (context.expectedName !== undefined && name !== context.expectedName) {
        throw invalidPackage(`${url} holds package "${name}", not "${context.expectedName}"`);
      }
      existing = this.#store.packages.get(name);
      if (existing && existing.source.url !== url) throw nameTaken(name, url, existing);
      await this.#installDependencies(prepared.manifest, actor, context);
      checkDependencies(prepared.manifest, this.#store);
      settledRoot = await fetched.settle(name);
      const settled = { ...prepared, root: settledRoot };
      record = existing ? await this.#replaceOne(settled, request, actor) : await this.#install(settled, request);
    } catch (error) {
      // What was fetched goes, unless the package was swapped to it before the failure (a restart after reload).
      const installed = name === undefined ? undefined : this.#store.packages.get(name);
      if (settledRoot === undefined || installed?.folder !== settledRoot) await fetched.discard();
      throw error;
    }
    if (existing) await this.#git.prune(record.name, [record.folder, existing.folder]);
    return request.start || (!existing && autostart) ? this.#startOne(record.name, actor) : record;
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
  #install(prepared: PreparedPackage, options: AddOptions): Promise<PackageRecord> {
    const { name, dependencies } = prepared.manifest;
    return this.#locks.runAll([name, ...Object.keys(dependencies)], async () => {
      checkDependencies(prepared.manifest, this.#store);
      return this.#steps.install(prepared, options);
    });
  }

  /** A re-add with `reload`: a reload of one package with the files just read and the request's grant, env and config. */
  async #replaceOne(prepared: PreparedPackage, options: AddOptions, actor: Actor): Promise<PackageRecord> {
    const { name } = prepared.manifest;
    this.#restarts.reset([name]);
    const report = await this.#batch("reload", [name], actor, { via: "add" }, (batch) =>
      this.#replace(batch, new Map([[name, prepared]]), options),
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
      await this.#replace(report, await this.#reread(names, report), {});
    });
  }

  async #reread(names: readonly string[], report: BatchReport): Promise<Map<string, PreparedPackage>> {
    const prepared = new Map<string, PreparedPackage>();
    for (const name of names) {
      try {
        prepared.set(name, await reread(this.get(name), this.#bundler));
      } catch (error) {
        report.refuse(name, error);
      }
    }
    return prepared;
  }

  /** Swaps in prepared files for installed packages, restarting what ran and what should run. */
  #replace(report: BatchReport, prepared: Map<string, PreparedPackage>, options: AddOptions): Promise<void> {
    return this.#locks.runScoped(
      () => this.#replaceScope(prepared),
      async () => {
        const accepted = this.#admit(report, prepared, options);
        const names = accepted.map((record) => record.name);
        const wanted = names.filter((name) => this.get(name).desiredState === "running");
        const running = await this.#stopAll(this.#graph().withDependents(names));
        for (const record of accepted) {
          await report.step(record.name, () => this.#steps.swap(record, prepared.get(record.name)!.code));
        }
        await startInOrder(report, this.#graph(), new Set([...running, ...wanted]), this.#starter());
      },
    );
  }

  /** What a reload touches: the packages, what depends on them, and what they all will depend on. */
  #replaceScope(prepared: Map<string, PreparedPackage>): Set<string> {
    const changed = new Map([...prepared].map(([name, p]) => [name, Object.keys(p.manifest.dependencies)]));
    const affected = this.#graph().withDependents(prepared.keys());
    return new Set([...affected, ...this.#graph().with(changed).withDependencies(affected)]);
  }

  /** The replacement records that keep the graph sound; the others are refused in the report. */
  #admit(report: BatchReport, prepared: Map<string, PreparedPackage>, options: AddOptions): PackageRecord[] {
    const next = [...prepared].flatMap(([name, p]) => {
      if (this.#steps.isInstalled(name)) return [replacementOf(this.get(name), p, options)];
      report.refuse(name, notFound(`package "${name}" is not installed`));
      return [];
    });
    const { accepted, refused } = admitReplacements(this.list(), next);
    for (const [name, error] of refused) report.refuse(name, error);
    const names = new Set(accepted.map((record) => record.name));
    return next.filter((record) => names.has(record.name));
  }

  /** Stops the running ones among `names`, dependents first, keeping their desired state; returns them. */
  async #stopAll(names: Set<string>): Promise<string[]> {
    const running = [...names].filter((name) => this.#steps.isRunning(name));
    for (const name of this.#graph().order(running).order.reverse()) await this.#steps.stop(name);
    return running;
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

  #graph(): DependencyGraph {
    return DependencyGraph.of(this.list().map((record) => [record.name, Object.keys(record.dependencies)]));
  }

  #facts(): PackageFacts {
    return { isInstalled: (name) => this.#steps.isInstalled(name), isRunning: (name) => this.#steps.isRunning(name) };
  }

  #starter() {
    return { ...this.#facts(), start: (name: string) => this.#steps.start(name) };
  }

  /** Runs a batch and writes its results to the audit log; a batch that fails as a whole refuses its names. */
  async #batch(
    operation: string,
    names: readonly string[],
    actor: Actor,
    params: Record<string, unknown>,
    run: (report: BatchReport) => Promise<void>,
  ): Promise<BatchReport> {
    const report = new BatchReport(operation, names);
    try {
      await run(report);
      return report;
    } catch (error) {
      report.refuseRest(error);
      throw error;
    } finally {
      this.#audit.recordBatch(actor, report, params);
    }
  }
}

/** A name already installed from another source: switching sources is delete, then add (SPEC section 6). */
function nameTaken(name: string, from: string, existing: PackageRecord): IsopodError {
  const installedFrom = existing.source.kind === "git" ? existing.source.url : existing.source.path;
  return new IsopodError(
    "name_taken",
    `cannot add "${name}" from ${from}: that name is installed from ${installedFrom}; delete it first`,
  );
}

function hasDependents(name: string, dependents: string[]): IsopodError {
  const list = dependents.map((dependent) => `"${dependent}"`).join(", ");
  return new IsopodError(
    "has_dependents",
    `cannot delete "${name}": ${list} depend on it; delete them first, or delete with cascade=true`,
    { dependents },
  );
}

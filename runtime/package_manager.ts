// The lifecycle of packages: add, start, stop, reload, delete. It decides the
// order of steps and the states; the installer, runner, store and locks do the work.

import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { PackageRecord, Store } from "../db/index.ts";
import { effectivePermissions, SandboxFailure, type PermissionSet, type Sandbox } from "../sandbox/index.ts";
import { Audit, HOST_ACTOR, type Actor } from "./audit.ts";
import { Bundler } from "./bundler.ts";
import type { HostConfig } from "./config.ts";
import { invalidPackage, IsopodError, messageOf, notFound } from "./errors.ts";
import { hashFolder } from "./integrity.ts";
import { checkDependencies, preparePackage, recordOf, type AddOptions, type PreparedPackage } from "./installer.ts";
import type { DataLayout } from "./layout.ts";
import { PackageLocks } from "./package_locks.ts";
import { PackageRunner } from "./package_runner.ts";
import { resolvePathSource } from "./path_source.ts";
import { installSourcedDependencies, type AddContext } from "./source_dependencies.ts";
import { FolderSource, GitSource, type Source } from "./sources/index.ts";
import { dependentsInStopOrder, upgradePackage, type UpgradeHost, type UpgradeResult } from "./upgrade.ts";

export interface AddRequest extends AddOptions {
  path?: string;
  gitUrl?: string;
  reload?: boolean;
  start?: boolean;
}

/** Turns a sandbox failure into the API error for `operation`, keeping the reason. */
function failureError(code: "install_failed" | "start_failed", action: string, error: unknown): IsopodError {
  if (error instanceof IsopodError) return error;
  const reason = error instanceof SandboxFailure ? error.reason : "uncaught-error";
  if (reason === "invalid-module") return new IsopodError("invalid_package", `${action}: ${messageOf(error)}`, { reason });
  return new IsopodError(code, `${action}: ${messageOf(error)}`, { reason });
}

export class PackageManager {
  readonly #store: Store;
  readonly #layout: DataLayout;
  readonly #bundler: Bundler;
  readonly #runner: PackageRunner;
  readonly #locks: PackageLocks;
  readonly #audit: Audit;
  readonly #git: GitSource;
  readonly #folders = new FolderSource();

  constructor(store: Store, sandbox: Sandbox, layout: DataLayout, config: HostConfig) {
    this.#store = store;
    this.#layout = layout;
    this.#bundler = new Bundler(layout.bundleCache);
    this.#runner = new PackageRunner(sandbox, config.caps, layout);
    this.#locks = new PackageLocks(config.lockWaitMs);
    this.#audit = new Audit(store);
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
    });
  }

  get(name: string): PackageRecord {
    const record = this.#store.packages.get(name);
    if (!record) throw notFound(`package "${name}" is not installed`);
    return record;
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
      if (same && !request.reload) return request.start ? this.#startLocked(same.name) : same;
      const prepared = await preparePackage(root, source, request.grant, this.#bundler);
      const existing = this.#store.packages.get(prepared.manifest.name);
      if (existing && existing.source.path !== root) {
        throw new IsopodError(
          "name_taken",
          `cannot add "${prepared.manifest.name}" from ${root}: that name is installed from ${existing.source.path ?? existing.source.url}; delete it first`,
        );
      }
      await this.#installDependencies(prepared.manifest, actor, context);
      checkDependencies(prepared.manifest, this.#store);
      const record = existing
        ? await this.#replace(existing, prepared, request)
        : await this.#install(prepared, request);
      return request.start || (!existing && prepared.manifest.autostart) ? this.#startLocked(record.name) : record;
    });
  }

  /** Adds from a GitHub URL; already there (same URL) without `reload`: nothing is fetched. */
  async #addFromGit(request: AddRequest & { gitUrl: string }, actor: Actor, context: AddContext): Promise<PackageRecord> {
    const url = this.#git.parse(request.gitUrl).url;
    const same = this.list().find((record) => record.source.kind === "git" && record.source.url === url);
    if (same && !request.reload) return request.start ? this.#startLocked(same.name) : same;
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
      if (existing && existing.source.url !== url) {
        throw new IsopodError(
          "name_taken",
          `cannot add "${name}" from ${url}: that name is installed from ${existing.source.url ?? existing.source.path}; delete it first`,
        );
      }
      await this.#installDependencies(prepared.manifest, actor, context);
      checkDependencies(prepared.manifest, this.#store);
      settledRoot = await fetched.settle(name);
      const settled = { ...prepared, root: settledRoot };
      record = existing ? await this.#replace(existing, settled, request) : await this.#install(settled, request);
    } catch (error) {
      // What was fetched goes, unless the package was swapped to it before the failure (a restart after reload).
      const installed = name === undefined ? undefined : this.#store.packages.get(name);
      if (settledRoot === undefined || installed?.folder !== settledRoot) await fetched.discard();
      throw error;
    }
    if (existing) await this.#git.prune(record.name, [record.folder, existing.folder]);
    return request.start || (!existing && autostart) ? this.#startLocked(record.name) : record;
  }

  #installDependencies(manifest: PreparedPackage["manifest"], actor: Actor, context: AddContext): Promise<void> {
    return installSourcedDependencies(manifest, this.#store, context, (url, next) => this.add({ gitUrl: url }, actor, next));
  }

  /** Upgrades a package from its source: unchanged, nothing happens; a new version that fails is rolled back. */
  upgrade(name: string, actor: Actor): Promise<UpgradeResult> {
    return this.#audit.record(actor, "upgrade", name, {}, () => upgradePackage(name, this.#upgradeHost(actor)));
  }

  #upgradeHost(actor: Actor): UpgradeHost {
    return {
      store: this.#store,
      bundler: this.#bundler,
      sourceOf: (record): Source => (record.source.kind === "git" ? this.#git : this.#folders),
      exclusive: (name, fn) => this.#lockEach([name, ...dependentsInStopOrder(name, this.#store)], fn),
      isRunning: (name) => this.#runner.isRunning(name),
      stop: async (name) => void (await this.#stopLocked(name, this.get(name).desiredState)),
      start: async (name) => void (await this.#startUnlocked(name)),
      installDependencies: (manifest) => this.#installDependencies(manifest, actor, { chain: [] }),
    };
  }

  /** Runs `fn` holding the lock of every name, taken one after another (this host's locks are per package). */
  #lockEach<T>(names: readonly string[], fn: () => Promise<T>): Promise<T> {
    const [first, ...rest] = names;
    return first === undefined ? fn() : this.#locks.run(first, () => this.#lockEach(rest, fn));
  }

  /** Records the package, runs its `install` hook; on failure nothing stays behind. */
  async #install(prepared: PreparedPackage, options: AddOptions): Promise<PackageRecord> {
    const record = recordOf(prepared, options);
    return this.#locks.run(record.name, async () => {
      if (this.#store.packages.get(record.name)) {
        throw new IsopodError("conflict", `"${record.name}" was added by another request meanwhile`);
      }
      await mkdir(this.#layout.dataDir(record.name), { recursive: true });
      this.#store.packages.insert(record);
      try {
        await this.#bundler.store(record.integrity, prepared.code);
        await this.#runner.runOnce(record, prepared.code, "install");
      } catch (error) {
        this.#store.packages.remove(record.name);
        await rm(this.#layout.packageDir(record.name), { recursive: true, force: true });
        throw failureError("install_failed", `cannot install "${record.name}"`, error);
      }
      this.#store.packages.setState(record.name, "installed");
      return this.get(record.name);
    });
  }

  /** Swaps in re-read files for an installed package, restarting it if it was running. */
  async #replace(existing: PackageRecord, prepared: PreparedPackage, options: AddOptions): Promise<PackageRecord> {
    return this.#locks.run(existing.name, async () => {
      const wasRunning = this.#runner.isRunning(existing.name);
      if (wasRunning) await this.#stopLocked(existing.name, "stopped");
      const record: PackageRecord = {
        ...recordOf(prepared, { env: options.env ?? existing.env, config: options.config ?? existing.config }),
        state: "installed",
        desiredState: existing.desiredState,
        installedAt: existing.installedAt,
      };
      // Without a new grant, a new request is still capped by what was granted before.
      if (options.grant === undefined) {
        const before = JSON.parse(existing.granted) as PermissionSet;
        record.granted = JSON.stringify(effectivePermissions(prepared.manifest.requested, before));
      }
      await this.#bundler.store(record.integrity, prepared.code);
      this.#store.packages.replace(record);
      if (wasRunning) await this.#startUnlocked(record.name);
      return this.get(record.name);
    });
  }

  start(name: string, actor: Actor): Promise<PackageRecord> {
    return this.#audit.record(actor, "start", name, {}, () => this.#startLocked(name));
  }

  #startLocked(name: string): Promise<PackageRecord> {
    return this.#locks.run(name, () => this.#startUnlocked(name));
  }

  async #startUnlocked(name: string): Promise<PackageRecord> {
    const record = this.get(name);
    if (this.#runner.isRunning(name)) return record;
    const integrity = await hashFolder(record.folder).catch((error: unknown) => `unreadable: ${messageOf(error)}`);
    if (integrity !== record.integrity) {
      const message = `cannot start "${name}": integrity verification failed (its files changed since they were installed; reload it to accept the change)`;
      this.#store.packages.setState(name, "failed", { code: "integrity", message, at: Date.now() });
      throw new IsopodError("integrity_failed", message);
    }
    this.#store.packages.setState(name, "starting");
    try {
      const code = (await this.#bundler.cached(record.integrity)) ?? (await this.#rebundle(record));
      await this.#runner.start(record, code);
    } catch (error) {
      const failure = failureError("start_failed", `cannot start "${name}"`, error);
      const reason = typeof failure.details.reason === "string" ? failure.details.reason : failure.code;
      this.#store.packages.setState(name, "failed", { code: reason, message: failure.message, at: Date.now() });
      throw failure;
    }
    this.#store.packages.setState(name, "running");
    this.#store.packages.setDesiredState(name, "running");
    return this.get(name);
  }

  async #rebundle(record: PackageRecord): Promise<string> {
    const manifest = JSON.parse(record.manifest) as { entry: string };
    const code = await this.#bundler.bundle(record.folder, manifest.entry, record.name);
    await this.#bundler.store(record.integrity, code);
    return code;
  }

  stop(name: string, actor: Actor): Promise<PackageRecord> {
    return this.#audit.record(actor, "stop", name, {}, () =>
      this.#locks.run(name, () => this.#stopLocked(name, "stopped")),
    );
  }

  async #stopLocked(name: string, desired: "running" | "stopped"): Promise<PackageRecord> {
    const record = this.get(name);
    if (this.#runner.isRunning(name)) {
      this.#store.packages.setState(name, "stopping");
      const failure = await this.#runner.stop(name);
      if (failure) this.#store.logs.append(name, "error", `stop failed: ${messageOf(failure)}`);
      this.#store.packages.setState(name, "installed");
    } else if (record.state !== "installed") {
      this.#store.packages.setState(name, "installed", null);
    }
    this.#store.packages.setDesiredState(name, desired);
    return this.get(name);
  }

  /** Deletes a package: refused while others depend on it; its files go to the trash, its history stays. */
  delete(name: string, actor: Actor): Promise<void> {
    return this.#audit.record(actor, "delete", name, {}, () =>
      this.#locks.run(name, async () => {
        const record = this.get(name);
        const dependents = this.#store.packages.dependentsOf(name);
        if (dependents.length > 0) {
          throw new IsopodError(
            "has_dependents",
            `cannot delete "${name}": ${dependents.map((d) => `"${d}"`).join(", ")} depend on it`,
            { dependents },
          );
        }
        await this.#stopLocked(name, "stopped");
        await this.#uninstall(record);
        await this.#moveToTrash(name);
        this.#store.packages.setState(name, "deleted");
      }),
    );
  }

  async #uninstall(record: PackageRecord): Promise<void> {
    try {
      const code = (await this.#bundler.cached(record.integrity)) ?? (await this.#rebundle(record));
      await this.#runner.runOnce(record, code, "uninstall");
    } catch (error) {
      this.#store.logs.append(record.name, "error", `uninstall failed: ${messageOf(error)}`);
    }
  }

  /** Moves the host's folder for a package to the trash; a failed move deletes it instead. */
  async #moveToTrash(name: string): Promise<void> {
    const from = this.#layout.packageDir(name);
    const to = path.join(this.#layout.trash, `${path.basename(from)}-${Date.now()}`);
    try {
      await mkdir(this.#layout.trash, { recursive: true });
      await rename(from, to);
    } catch {
      await rm(from, { recursive: true, force: true });
    }
  }

  /** Brings back every package whose desired state is running (at host start). */
  async restore(): Promise<void> {
    for (const record of this.list()) {
      if (record.desiredState !== "running") continue;
      this.#store.packages.setState(record.name, "installed");
      await this.#audit
        .record(HOST_ACTOR, "start", record.name, { reason: "restore" }, () => this.#startLocked(record.name))
        .catch(() => undefined);
    }
  }

  get runningCount(): number {
    return this.#runner.runningCount;
  }
}

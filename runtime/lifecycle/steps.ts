// One lifecycle step on one package: install, start, stop, swap in new files,
// remove. Each keeps the store's states true; the caller holds the locks and picks the order.

import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { DesiredState, LogLevel, PackageRecord, Store } from "../../db/index.ts";
import { hookFailureError } from "../sandbox_failures.ts";
import type { Bundler } from "../packages/bundler.ts";
import { IsopodError, messageOf, notFound } from "../errors.ts";
import { recordOf, type AddOptions, type PreparedPackage } from "../packages/installer.ts";
import { hashFolder } from "../packages/integrity.ts";
import type { DataLayout } from "../layout.ts";
import type { PackageRunner } from "./package_runner.ts";
import { bundlePackage, resolutionOf } from "../packages/index.ts";

/** Writes a line to a package's log, where followers see it too. */
export type PackageLog = (name: string, level: LogLevel, message: string) => void;

export class LifecycleSteps {
  readonly #store: Store;
  readonly #runner: PackageRunner;
  readonly #bundler: Bundler;
  readonly #layout: DataLayout;
  readonly #log: PackageLog;

  constructor(store: Store, runner: PackageRunner, bundler: Bundler, options: { layout: DataLayout; log: PackageLog }) {
    this.#store = store;
    this.#runner = runner;
    this.#bundler = bundler;
    this.#layout = options.layout;
    this.#log = options.log;
  }

  get(name: string): PackageRecord {
    const record = this.#store.packages.get(name);
    if (!record) throw notFound(`package "${name}" is not installed`);
    return record;
  }

  isInstalled(name: string): boolean {
    return this.#store.packages.get(name) !== undefined;
  }

  isRunning(name: string): boolean {
    return this.#runner.isRunning(name);
  }

  /**
   * Records the package and runs its `install` hook; on failure nothing stays
   * behind. With `keepForStart`, the install's isolate waits for the start that
   * follows (see PackageRunner.runOnce); `release` ends it if none took it.
   */
  async install(prepared: PreparedPackage, options: AddOptions, keepForStart = false): Promise<PackageRecord> {
    const record = recordOf(prepared, options);
    if (this.isInstalled(record.name)) {
      throw new IsopodError("conflict", `"${record.name}" was added by another request meanwhile`);
    }
    await mkdir(this.#layout.dataDir(record.name), { recursive: true });
    this.#store.packages.insert(record);
    try {
      await this.#bundler.store(record.integrity, prepared.code);
      await this.#runner.runOnce(record, prepared.code, "install", { keep: keepForStart });
    } catch (error) {
      this.#store.packages.remove(record.name);
      await rm(this.#layout.packageDir(record.name), { recursive: true, force: true });
      throw hookFailureError("install_failed", `cannot install "${record.name}"`, error);
    }
    this.#store.packages.setState(record.name, "installed");
    return this.get(record.name);
  }

  /** Ends the isolate an install kept for a start that did not take it. */
  release(name: string): Promise<void> {
    return this.#runner.release(name);
  }

  /** Verifies the files and starts the package; already running: nothing happens. */
  async start(name: string): Promise<void> {
    const record = this.get(name);
    if (this.#runner.isRunning(name)) return;
    await this.#verify(record);
    this.#store.packages.setState(name, "starting");
    try {
      await this.#runner.start(record, await this.#code(record));
    } catch (error) {
      const failure = hookFailureError("start_failed", `cannot start "${name}"`, error);
      const reason = typeof failure.details.reason === "string" ? failure.details.reason : failure.code;
      this.#store.packages.setState(name, "failed", { code: reason, message: failure.message, at: Date.now() });
      throw failure;
    }
    this.#store.packages.setState(name, "running");
    this.#store.packages.setDesiredState(name, "running");
  }

  async #verify(record: PackageRecord): Promise<void> {
    const integrity = await hashFolder(record.folder).catch((error: unknown) => `unreadable: ${messageOf(error)}`);
    if (integrity === record.integrity) return;
    const message = `cannot start "${record.name}": integrity verification failed (its files changed since they were installed; reload it to accept the change)`;
    this.#store.packages.setState(record.name, "failed", { code: "integrity", message, at: Date.now() });
    throw new IsopodError("integrity_failed", message);
  }

  async #code(record: PackageRecord): Promise<string> {
    const cached = await this.#bundler.cached(record.integrity);
    if (cached !== undefined) return cached;
    const facts = { root: record.folder, name: record.name, file: record.manifest.file, entry: record.manifest.entry };
    const { code } = await bundlePackage(this.#bundler, facts, resolutionOf(record.resolved));
    await this.#bundler.store(record.integrity, code);
    return code;
  }

  /** Stops the package (a failing `stop` hook is logged, not fatal) and sets its desired state, if given. */
  async stop(name: string, desired?: DesiredState): Promise<void> {
    const record = this.get(name);
    if (this.#runner.isRunning(name)) {
      this.#store.packages.setState(name, "stopping");
      const failure = await this.#runner.stop(name);
      if (failure) this.#log(name, "error", `stop failed: ${messageOf(failure)}`);
      this.#store.packages.setState(name, "installed");
    } else if (record.state !== "installed") {
      this.#store.packages.setState(name, "installed", null);
    }
    if (desired) this.#store.packages.setDesiredState(name, desired);
  }

  /** Puts a stopped package's re-read files and record in place of the old ones. */
  async swap(next: PackageRecord, code: string): Promise<void> {
    await this.#bundler.store(next.integrity, code);
    this.#store.packages.replace(next);
  }

  /** Stops the package, runs `uninstall` (a failure is logged), moves its folder to the trash; its history stays. */
  async remove(name: string): Promise<void> {
    const record = this.get(name);
    await this.stop(name, "stopped");
    try {
      await this.#runner.runOnce(record, await this.#code(record), "uninstall");
    } catch (error) {
      this.#log(name, "error", `uninstall failed: ${messageOf(error)}`);
    }
    await this.#moveToTrash(name);
    this.#store.packages.setState(name, "deleted");
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
}

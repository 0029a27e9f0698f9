// add(git_url or path): fetch, validate, bundle, record, install; an add of
// what is already there by name and source returns it (or reloads it with `reload`).

import type { PackageRecord, Store } from "../../db/index.ts";
import type { Bundler } from "../packages/bundler.ts";
import { invalidPackage, IsopodError } from "../errors.ts";
import { reportProgress } from "../progress.ts";
import { checkDependencies, preparePackage, type AddOptions, type PreparedPackage } from "../packages/installer.ts";
import { resolvePathSource } from "../sources/path_source.ts";
import type { GitSource } from "../sources/index.ts";
import type { AddContext } from "./source_dependencies.ts";

export interface AddRequest extends AddOptions {
  path?: string;
  gitUrl?: string;
  reload?: boolean;
  start?: boolean;
}

/** What an add needs from the package manager: the store, the sources, and its locked steps. */
export interface AddHost {
  store: Store;
  bundler: Bundler;
  git: GitSource;
  /** Records a new package and runs its `install` hook; with `keepForStart`, in the isolate the start that follows takes. */
  install(prepared: PreparedPackage, options: AddOptions, keepForStart: boolean): Promise<PackageRecord>;
  /** Ends the isolate `install` kept, if the start did not take it. */
  release(name: string): Promise<void>;
  /** Swaps an installed package for the files just read (an add with `reload`). */
  replace(prepared: PreparedPackage, options: AddOptions): Promise<PackageRecord>;
  start(name: string): Promise<PackageRecord>;
  installDependencies(manifest: PreparedPackage["manifest"], context: AddContext): Promise<void>;
}

export async function addPackage(request: AddRequest, context: AddContext, host: AddHost): Promise<PackageRecord> {
  const given = request.gitUrl ?? request.path;
  if (given !== undefined) reportProgress({ step: "resolving", source: given });
  if (request.gitUrl !== undefined) return addFromGit({ ...request, gitUrl: request.gitUrl }, context, host);
  if (request.path === undefined) throw new IsopodError("bad_request", "give either git_url or path");
  const { root, source } = await resolvePathSource(request.path);
  const same = host.store.packages.findBySource("path", root);
  if (same && !request.reload) return request.start ? startOne(host, same.name) : same;
  const prepared = await preparePackage(root, source, request.grant, host.bundler);
  const existing = host.store.packages.get(prepared.manifest.name);
  if (existing && existing.source.path !== root) throw nameTaken(prepared.manifest.name, root, existing);
  await host.installDependencies(prepared.manifest, context);
  checkDependencies(prepared.manifest, host.store);
  reportProgress({ step: "installing", package: prepared.manifest.name });
  const starts = request.start === true || (!existing && prepared.manifest.autostart);
  const record = existing ? await host.replace(prepared, request) : await host.install(prepared, request, starts);
  return starts ? startOne(host, record.name) : record;
}

/** Adds from a GitHub URL; already there (same URL) without `reload`: nothing is fetched. */
async function addFromGit(request: AddRequest & { gitUrl: string }, context: AddContext, host: AddHost): Promise<PackageRecord> {
  const url = host.git.parse(request.gitUrl).url;
  const same = host.store.packages.findBySource("git", url);
  if (same && !request.reload) return request.start ? startOne(host, same.name) : same;
  const fetched = await host.git.fetch(url);
  let record: PackageRecord;
  let existing: PackageRecord | undefined;
  let name: string | undefined;
  let settledRoot: string | undefined;
  let autostart = false;
  try {
    const prepared = await preparePackage(fetched.root, fetched.source, request.grant, host.bundler);
    ({ name, autostart } = prepared.manifest);
    if (context.expectedName !== undefined && name !== context.expectedName) {
      throw invalidPackage(`${url} holds package "${name}", not "${context.expectedName}"`);
    }
    existing = host.store.packages.get(name);
    if (existing && (existing.source.kind !== "git" || existing.source.url !== url)) throw nameTaken(name, url, existing);
    await host.installDependencies(prepared.manifest, context);
    checkDependencies(prepared.manifest, host.store);
    settledRoot = await fetched.settle(name);
    const settled = { ...prepared, root: settledRoot };
    reportProgress({ step: "installing", package: name });
    const starts = request.start === true || (!existing && autostart);
    record = existing ? await host.replace(settled, request) : await host.install(settled, request, starts);
  } catch (error) {
    // What was fetched goes, unless the package was swapped to it before the failure (a restart after reload).
    const installed = name === undefined ? undefined : host.store.packages.get(name);
    if (settledRoot === undefined || installed?.folder !== settledRoot) await fetched.discard();
    throw error;
  }
  if (existing) await host.git.prune(record.name, [record.folder, existing.folder]);
  return request.start || (!existing && autostart) ? startOne(host, record.name) : record;
}

/** Starts the package; an isolate its install kept and this start did not take (it failed first) is ended after it. */
async function startOne(host: AddHost, name: string): Promise<PackageRecord> {
  reportProgress({ step: "starting", package: name });
  try {
    return await host.start(name);
  } finally {
    await host.release(name);
  }
}

/** A name already installed from another source: switching sources is delete, then add (docs/reference/api.md#adding-a-package). */
function nameTaken(name: string, from: string, existing: PackageRecord): IsopodError {
  const installedFrom = existing.source.kind === "git" ? existing.source.url : existing.source.path;
  return new IsopodError(
    "name_taken",
    `cannot add "${name}" from ${from}: that name is installed from ${installedFrom}; delete it first`,
  );
}


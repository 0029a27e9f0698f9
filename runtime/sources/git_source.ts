// GitHub as a Source: resolves a tree URL to a commit, streams that commit's
// tarball into a staging folder (only the package folder), and moves it into place atomically.

import { mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { PackageRecord, PackageSource } from "../../db/index.ts";
import type { ArchiveBounds } from "../config.ts";
import { IsopodError } from "../errors.ts";
import type { DataLayout } from "../layout.ts";
import { reportProgress } from "../progress.ts";
import { GitHubApi, type GitHubApiOptions } from "./github_api.ts";
import { gaveUp, SourceUnreachable } from "./github_errors.ts";
import { parseGitHubUrl, webOriginsFor, type GitHubLocation } from "./github_url.ts";
import { resolveLocation, type ResolvedLocation } from "./ref_resolver.ts";
import { retry } from "./retry.ts";
import type { FetchedSource, Source } from "./source.ts";
import { extractTarball } from "./tarball.ts";

export interface GitSourceOptions extends GitHubApiOptions {
  bounds: ArchiveBounds;
}

export class GitSource implements Source {
  readonly #api: GitHubApi;
  readonly #layout: DataLayout;
  readonly #options: GitSourceOptions;
  readonly #origins: string[];
  #staged: Promise<void> | undefined;

  constructor(layout: DataLayout, options: GitSourceOptions) {
    this.#layout = layout;
    this.#options = options;
    this.#api = new GitHubApi(options);
    this.#origins = webOriginsFor(options.baseUrl);
  }

  /** Parses a GitHub URL (400 naming the accepted forms when it is none of them). */
  parse(url: string): GitHubLocation {
    return parseGitHubUrl(url, this.#origins);
  }

  async fetch(url: string): Promise<FetchedSource> {
    const location = this.parse(url);
    return this.#download(location, await resolveLocation(this.#api, location));
  }

  /** Resolves the recorded ref again; the same commit means nothing is downloaded. */
  async refresh(record: PackageRecord): Promise<FetchedSource | undefined> {
    const { source } = record;
    if (source.kind !== "git") throw new TypeError(`"${record.name}" is not a git package`);
    const location = this.parse(source.url);
    const pinned = location.tree.length > 0 ? { ref: source.ref, path: source.path ?? "" } : undefined;
    const resolved = await resolveLocation(this.#api, location, { pinned });
    return resolved.commit === source.commit ? undefined : this.#download(location, resolved);
  }

  async prune(name: string, keep: readonly string[]): Promise<void> {
    const dir = this.#layout.versionsDir(name);
    const entries = await readdir(dir).catch(() => []);
    const stale = entries.filter((entry) => !keep.includes(path.join(dir, entry)));
    await Promise.all(stale.map((entry) => rm(path.join(dir, entry), { recursive: true, force: true })));
  }

  /** A fresh staging folder; leftovers of an earlier run of the host are removed once. */
  async #stagingFolder(): Promise<string> {
    this.#staged ??= rm(this.#layout.staging, { recursive: true, force: true }).then(() =>
      mkdir(this.#layout.staging, { recursive: true }).then(() => undefined),
    );
    await this.#staged;
    return mkdtemp(path.join(this.#layout.staging, "git-"));
  }

  /** Downloads and extracts the package folder; a cut-off download is retried from scratch. */
  async #download(location: GitHubLocation, resolved: ResolvedLocation): Promise<FetchedSource> {
    const { retries, retryDelayMs: delayMs } = this.#options;
    const attempt = async () => {
      const dir = await this.#stagingFolder();
      try {
        await this.#extract(location, resolved, dir);
        return dir;
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    };
    const isTransient = (error: unknown) => error instanceof SourceUnreachable;
    const staging = await retry(attempt, { retries, delayMs, isTransient }).catch((error: unknown) => {
      throw gaveUp(error, retries + 1);
    });
    return this.#fetched(location, resolved, staging);
  }

  async #extract(location: GitHubLocation, resolved: ResolvedLocation, dir: string): Promise<void> {
    const download = await this.#api.tarball(location.owner, location.repo, resolved.commit);
    const total = download.length === undefined ? {} : { total: download.length };
    let downloaded = 0;
    reportProgress({ step: "downloading", bytes: 0, ...total });
    // The archive is extracted while it downloads: the files count once the last one is written.
    const result = await extractTarball(download.body, {
      folder: resolved.path,
      dest: dir,
      bounds: this.#options.bounds,
      length: download.length,
      onDownloaded: (bytes) => reportProgress({ step: "downloading", bytes: (downloaded = bytes), ...total }),
    });
    reportProgress({ step: "downloading", bytes: downloaded, ...total });
    reportProgress({ step: "extracting", files: result.files, bytes: result.bytes });
    if (!result.found) {
      const where = resolved.path === "" ? "anything" : `"${resolved.path}"`;
      throw new IsopodError("source_not_found", `the archive of "${location.owner}/${location.repo}" at ${resolved.commit.slice(0, 7)} holds no ${where}`, {
        what: "path",
        path: resolved.path,
      });
    }
  }

  #fetched(location: GitHubLocation, resolved: ResolvedLocation, staging: string): FetchedSource {
    const source: PackageSource = { kind: "git", url: location.url, ref: resolved.ref, commit: resolved.commit };
    if (resolved.path !== "") source.path = resolved.path;
    let current = staging;
    return {
      root: staging,
      source,
      settle: async (name) => {
        const target = this.#layout.versionDir(name, `${resolved.commit.slice(0, 12)}-${path.basename(staging).slice(4)}`);
        await mkdir(path.dirname(target), { recursive: true });
        await rename(staging, target);
        current = target;
        return target;
      },
      discard: () => rm(current, { recursive: true, force: true }),
    };
  }
}

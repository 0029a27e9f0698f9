// The host's only door to GitHub's REST API (through @octokit/rest): the few
// calls a git source needs, each with a timeout, bounded retries and errors in the host's terms.

import { Octokit } from "@octokit/rest";
import { IsopodError } from "../errors.ts";
import { downloadArchive, type Download } from "./archive_download.ts";
import { gaveUp, SourceUnreachable, statusOf, translateGitHubError } from "./github_errors.ts";
import { retry } from "./retry.ts";

export interface GitHubApiOptions {
  /** API base URL, such as `https://api.github.com` or a GitHub Enterprise `https://host/api/v3`. */
  baseUrl: string;
  /** Token sent with every request; needed for private repositories. */
  token?: string | undefined;
  /** Retries after no answer or a 5xx answer. */
  retries: number;
  /** First backoff delay, doubled for each retry. */
  retryDelayMs: number;
  /** Longest wait for an answer, or between two chunks of a download. */
  timeoutMs: number;
}

/** A ref as GitHub lists it: `name` without `refs/heads/` or `refs/tags/`, and the object it points at. */
export interface RefEntry {
  name: string;
  sha: string;
  type: string;
}

const SILENT = { debug() {}, info() {}, warn() {}, error() {} };

export class GitHubApi {
  readonly #octokit: Octokit;
  readonly #options: GitHubApiOptions;

  constructor(options: GitHubApiOptions) {
    this.#options = options;
    this.#octokit = new Octokit({
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
      userAgent: "isopod",
      log: SILENT,
      ...(options.token !== undefined && { auth: options.token }),
    });
  }

  get baseUrl(): string {
    return this.#options.baseUrl;
  }

  /** Runs one API call under a timeout, retried while GitHub is unreachable; a 404 (or 422, `notFound`) is undefined. */
  async #call<T>(action: string, fn: (signal: AbortSignal) => Promise<T>, notFound = [404]): Promise<T | undefined> {
    const { retries, retryDelayMs: delayMs, timeoutMs } = this.#options;
    try {
      return await retry(
        async () => {
          try {
            return await fn(AbortSignal.timeout(timeoutMs));
          } catch (error) {
            if (notFound.includes(statusOf(error) ?? 0)) return undefined;
            throw translateGitHubError(error, action, this.#options.baseUrl);
          }
        },
        { retries, delayMs, isTransient: (error) => error instanceof SourceUnreachable },
      );
    } catch (error) {
      throw gaveUp(error, retries + 1);
    }
  }

  /** The repository's default branch, or undefined when it does not exist or the token cannot see it. */
  async repository(owner: string, repo: string): Promise<{ defaultBranch: string } | undefined> {
    const data = await this.#call(`cannot read repository "${owner}/${repo}"`, async (signal) => {
      return (await this.#octokit.rest.repos.get({ owner, repo, request: { signal } })).data;
    });
    return data && { defaultBranch: data.default_branch };
  }

  /** Branches (`kind` heads) or tags whose name starts with `prefix`. */
  async matchingRefs(owner: string, repo: string, kind: "heads" | "tags", prefix: string): Promise<RefEntry[]> {
    const data = await this.#call(`cannot list ${kind} of "${owner}/${repo}"`, async (signal) => {
      const ref = `${kind}/${prefix}`;
      return (await this.#octokit.rest.git.listMatchingRefs({ owner, repo, ref, request: { signal } })).data;
    });
    return (data ?? []).map((entry) => ({
      name: entry.ref.replace(/^refs\/(heads|tags)\//, ""),
      sha: entry.object.sha,
      type: entry.object.type,
    }));
  }

  /** What an annotated tag object points at. */
  async tagTarget(owner: string, repo: string, tagSha: string): Promise<{ sha: string; type: string }> {
    const data = await this.#call(`cannot read tag ${tagSha} of "${owner}/${repo}"`, async (signal) => {
      return (await this.#octokit.rest.git.getTag({ owner, repo, tag_sha: tagSha, request: { signal } })).data;
    });
    if (!data) throw new IsopodError("source_not_found", `tag object ${tagSha} of "${owner}/${repo}" does not exist`);
    return { sha: data.object.sha, type: data.object.type };
  }

  /** The full SHA of the commit `ref` names, or undefined (GitHub answers 422 for an unknown SHA). */
  async commitSha(owner: string, repo: string, ref: string): Promise<string | undefined> {
    const data = await this.#call(
      `cannot read commit "${ref}" of "${owner}/${repo}"`,
      async (signal) => {
        const response = await this.#octokit.rest.repos.getCommit({
          owner,
          repo,
          ref,
          mediaType: { format: "sha" },
          request: { signal },
        });
        return response.data as unknown;
      },
      [404, 422],
    );
    if (data === undefined) return undefined;
    const sha = String(data).trim();
    if (!/^[0-9a-f]{40}$/.test(sha)) throw new SourceUnreachable(`GitHub answered ${JSON.stringify(sha.slice(0, 60))} for commit "${ref}"`);
    return sha;
  }

  /** Whether `path` at commit `sha` is a folder, a file, or missing. */
  async pathKind(owner: string, repo: string, path: string, sha: string): Promise<"folder" | "file" | undefined> {
    const data = await this.#call(`cannot read "${path}" in "${owner}/${repo}"`, async (signal) => {
      return (await this.#octokit.rest.repos.getContent({ owner, repo, path, ref: sha, request: { signal } })).data;
    });
    if (data === undefined) return undefined;
    return Array.isArray(data) ? "folder" : "file";
  }

  /**
   * Starts the download of the commit's tarball. GitHub answers the API call with a redirect to its
   * archive server; that URL carries its own short-lived ticket, so the token is never sent there.
   */
  async tarball(owner: string, repo: string, sha: string): Promise<Download> {
    const action = `cannot download "${owner}/${repo}" at ${sha}`;
    const { timeoutMs } = this.#options;
    let response;
    try {
      response = await this.#octokit.rest.repos.downloadTarballArchive({
        owner,
        repo,
        ref: sha,
        request: { signal: AbortSignal.timeout(timeoutMs), redirect: "manual", parseSuccessResponseBody: false },
      });
    } catch (error) {
      if (statusOf(error) === 404) throw new IsopodError("source_not_found", `${action}: GitHub has no archive for it`);
      throw translateGitHubError(error, action, this.#options.baseUrl);
    }
    // The redirect is what we follow; the API's own (empty) body is dropped.
    await (response.data as unknown as ReadableStream | null)?.cancel().catch(() => undefined);
    const location = response.headers.location;
    if (location === undefined) throw new SourceUnreachable(`${action}: GitHub answered ${response.status} without a redirect to the archive`);
    return downloadArchive(new URL(location, this.#options.baseUrl).href, { timeoutMs, action });
  }
}

// A GitHub-API-shaped server on 127.0.0.1 for tests: repositories from fixture
// folders or hand-made entries, branches with slashes, tags, commits, tarballs behind a redirect.

import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import type { TestContext } from "node:test";
import { tarball, type TarEntry } from "./tar_writer.ts";
import { LoopbackServer } from "./loopback_server.ts";

/** A commit's files: a folder on disk, hand-made archive entries, or the raw bytes to serve as the archive. */
export type Tree = { folder: string } | { entries: TarEntry[] } | { raw: Buffer };

interface Tag {
  commit: string;
  /** An annotated tag: the ref points at a tag object, which points at the commit. */
  object?: string;
}

export class FakeRepo {
  readonly owner: string;
  readonly name: string;
  readonly private: boolean;
  defaultBranch = "main";
  readonly commits = new Map<string, Tree>();
  readonly branches = new Map<string, string>();
  readonly tags = new Map<string, Tag>();
  #count = 0;

  constructor(owner: string, name: string, isPrivate: boolean) {
    this.owner = owner;
    this.name = name;
    this.private = isPrivate;
  }

  /** Records a commit of `tree` and returns its SHA; with `branch`, the branch moves to it. */
  commit(tree: Tree, branch?: string): string {
    const sha = createHash("sha1").update(`${this.owner}/${this.name}#${++this.#count}`).digest("hex");
    this.commits.set(sha, tree);
    if (branch !== undefined) this.branches.set(branch, sha);
    return sha;
  }

  tag(name: string, commit: string, options: { annotated?: boolean } = {}): void {
    const object = options.annotated ? createHash("sha1").update(`tag ${name}`).digest("hex") : undefined;
    this.tags.set(name, { commit, ...(object !== undefined && { object }) });
  }
}

export interface FakeGitHubOptions {
  /** The token that private repositories need. */
  token?: string;
}

export class FakeGitHub extends LoopbackServer {
  readonly token: string | undefined;
  readonly repos = new Map<string, FakeRepo>();
  /** Archive downloads served (the request after the redirect). */
  downloads = 0;
  /** Answer every API request with 403 and exhausted rate-limit headers, resetting in this many seconds. */
  rateLimitResetIn: number | undefined;
  /** Answer this many next API requests with `failStatus`. */
  failNext = 0;
  failStatus = 502;
  /** Cut this many next downloads off after a few bytes (the socket is destroyed). */
  cutDownloads = 0;
  /** Stall this many next downloads after a few bytes (the socket stays open, silent). */
  stallDownloads = 0;

  constructor(options: FakeGitHubOptions = {}) {
    super();
    this.token = options.token;
  }

  repo(fullName: string, options: { private?: boolean } = {}): FakeRepo {
    const [owner, name] = fullName.split("/") as [string, string];
    const repo = new FakeRepo(owner, name, options.private ?? false);
    this.repos.set(fullName.toLowerCase(), repo);
    return repo;
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    this.requests.push(`${req.method} ${url.pathname}`);
    try {
      if (url.pathname.startsWith("/_codeload/")) return await this.#download(url, res);
      if (this.rateLimitResetIn !== undefined) return this.#rateLimited(res);
      if (this.failNext > 0) {
        this.failNext--;
        return json(res, this.failStatus, { message: "Server Error" });
      }
      await this.#api(req, url, res);
    } catch (error) {
      json(res, 500, { message: String(error) });
    }
  }

  #rateLimited(res: ServerResponse): void {
    const reset = Math.floor(Date.now() / 1000) + this.rateLimitResetIn!;
    res.setHeader("x-ratelimit-limit", "60");
    res.setHeader("x-ratelimit-remaining", "0");
    res.setHeader("x-ratelimit-reset", String(reset));
    json(res, 403, { message: "API rate limit exceeded for 127.0.0.1.", documentation_url: "https://docs.github.com/rest/rate-limit" });
  }

  #visible(req: IncomingMessage, repo: FakeRepo | undefined): repo is FakeRepo {
    if (!repo) return false;
    if (!repo.private) return true;
    const auth = req.headers.authorization ?? "";
    return this.token !== undefined && (auth === `token ${this.token}` || auth === `Bearer ${this.token}`);
  }

  async #api(req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> {
    const match = /^\/repos\/([^/]+)\/([^/]+)(?:\/(.*))?$/.exec(url.pathname);
    const repo = match ? this.repos.get(`${match[1]}/${match[2]}`.toLowerCase()) : undefined;
    if (!match || !this.#visible(req, repo)) return notFound(res);
    const rest = match[3] ?? "";
    if (rest === "") {
      return json(res, 200, { name: repo.name, full_name: `${repo.owner}/${repo.name}`, private: repo.private, default_branch: repo.defaultBranch });
    }
    const route = ROUTES.find((prefix) => rest.startsWith(`${prefix}/`));
    const value = route === undefined ? "" : decodeURIComponent(rest.slice(route.length + 1));
    if (route === "git/matching-refs") return json(res, 200, matchingRefs(repo, value));
    if (route === "git/tags") {
      const [name, tag] = [...repo.tags].find(([, t]) => t.object === value) ?? [];
      if (!tag) return notFound(res);
      return json(res, 200, { sha: value, tag: name, object: { sha: tag.commit, type: "commit" } });
    }
    if (route === "commits") {
      const sha = commitOf(repo, value);
      if (!sha) return json(res, 422, { message: `No commit found for SHA: ${value}` });
      if (String(req.headers.accept).includes("sha")) {
        res.writeHead(200, { "content-type": "application/vnd.github.sha; charset=utf-8" });
        return void res.end(sha);
      }
      return json(res, 200, { sha });
    }
    if (route === "contents") return this.#contents(repo, value, url.searchParams.get("ref") ?? "", res);
    if (route === "tarball") {
      const sha = commitOf(repo, value);
      if (!sha) return notFound(res);
      const ticket = repo.private ? `?token=ticket-${sha}` : "";
      res.writeHead(302, { location: `${this.url}/_codeload/${repo.owner}/${repo.name}/legacy.tar.gz/${sha}${ticket}` });
      return void res.end();
    }
    notFound(res);
  }

  async #contents(repo: FakeRepo, folder: string, ref: string, res: ServerResponse): Promise<void> {
    const sha = commitOf(repo, ref);
    const tree = sha === undefined ? undefined : repo.commits.get(sha);
    if (!tree) return notFound(res);
    const kind = await kindOf(tree, folder);
    if (kind === undefined) return notFound(res);
    if (kind === "file") return json(res, 200, { type: "file", path: folder, name: path.basename(folder) });
    json(res, 200, [{ type: "file", path: `${folder}/deno.json`, name: "deno.json" }]);
  }

  /** Sends the first chunk of the archive, then cuts the connection or goes silent. */
  async #misbehave(stream: NodeJS.ReadableStream & { destroy(): void }, res: ServerResponse): Promise<void> {
    const cut = this.cutDownloads > 0;
    if (cut) this.cutDownloads--;
    else this.stallDownloads--;
    const first = await new Promise<Buffer>((resolve) => stream.once("data", resolve));
    stream.destroy();
    res.flushHeaders();
    await new Promise((resolve) => setTimeout(resolve, 20));
    res.write(first.subarray(0, 64));
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (cut) res.destroy();
  }

  async #download(url: URL, res: ServerResponse): Promise<void> {
    const [, , owner, name, , sha] = url.pathname.split("/");
    const repo = this.repos.get(`${owner}/${name}`.toLowerCase());
    const tree = repo?.commits.get(sha ?? "");
    if (!repo || !tree || (repo.private && url.searchParams.get("token") !== `ticket-${sha}`)) return notFound(res);
    this.downloads++;
    res.writeHead(200, { "content-type": "application/x-gzip" });
    if ("raw" in tree) return void res.end(tree.raw);
    const stream = tarball(`${repo.owner}-${repo.name}-${sha!.slice(0, 7)}`, sha!, tree);
    if (this.cutDownloads > 0 || this.stallDownloads > 0) return this.#misbehave(stream, res);
    stream.pipe(res);
    await new Promise<void>((resolve) => res.on("close", () => resolve()));
    stream.destroy();
  }
}

const ROUTES = ["git/matching-refs", "git/tags", "commits", "contents", "tarball"];

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

function notFound(res: ServerResponse): void {
  json(res, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
}

function matchingRefs(repo: FakeRepo, prefix: string) {
  const heads = [...repo.branches].map(([name, sha]) => ({ ref: `refs/heads/${name}`, object: { sha, type: "commit" } }));
  const tags = [...repo.tags].map(([name, tag]) => ({
    ref: `refs/tags/${name}`,
    object: tag.object ? { sha: tag.object, type: "tag" } : { sha: tag.commit, type: "commit" },
  }));
  return [...heads, ...tags].filter((ref) => ref.ref.startsWith(`refs/${prefix}`));
}

function commitOf(repo: FakeRepo, ref: string): string | undefined {
  if (repo.branches.has(ref)) return repo.branches.get(ref);
  if (repo.tags.has(ref)) return repo.tags.get(ref)!.commit;
  if (/^[0-9a-f]{7,40}$/.test(ref)) return [...repo.commits.keys()].find((sha) => sha.startsWith(ref));
  return undefined;
}

async function kindOf(tree: Tree, folder: string): Promise<"folder" | "file" | undefined> {
  if ("folder" in tree) {
    const info = await stat(path.join(tree.folder, folder)).catch(() => undefined);
    return info === undefined ? undefined : info.isDirectory() ? "folder" : "file";
  }
  if ("raw" in tree) return "folder";
  for (const entry of tree.entries) {
    const entryPath = entry.path.replace(/\/+$/, "");
    if (entryPath === folder) return entry.type === "Directory" ? "folder" : "file";
    if (entryPath.startsWith(`${folder}/`)) return "folder";
  }
  return undefined;
}

/** A fake GitHub for one test, closed when the test ends. */
export async function useFakeGitHub(t: TestContext, options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const fake = new FakeGitHub(options);
  await fake.listen();
  t.after(() => fake.close());
  return fake;
}

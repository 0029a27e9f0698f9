// Resolves a GitHub location to a commit: where REF ends and PATH begins is
// found against the repository (the longest branch or tag that exists, else a commit SHA).

import { IsopodError } from "../errors.ts";
import type { GitHubApi, RefEntry } from "./github_api.ts";
import type { GitHubLocation } from "./github_url.ts";

export interface ResolvedLocation {
  /** The branch or tag name, or the commit SHA as written in the URL. */
  ref: string;
  /** The full commit SHA the ref points at now. */
  commit: string;
  /** The package folder inside the repository, `a/b`; "" for the root. */
  path: string;
}

const SHA = /^[0-9a-f]{7,40}$/i;
/** Annotated tags may point at tags; a chain this long is not a real repository. */
const MAX_TAG_DEPTH = 8;

function notFound(what: "repository" | "ref" | "path", message: string, details: Record<string, unknown>): IsopodError {
  return new IsopodError("source_not_found", message, { what, ...details });
}

async function commitOf(api: GitHubApi, location: GitHubLocation, entry: RefEntry): Promise<string> {
  let { sha, type } = entry;
  for (let depth = 0; type === "tag" && depth < MAX_TAG_DEPTH; depth++) {
    ({ sha, type } = await api.tagTarget(location.owner, location.repo, sha));
  }
  if (type !== "commit") {
    throw notFound("ref", `ref "${entry.name}" of "${location.owner}/${location.repo}" does not point at a commit`, { ref: entry.name });
  }
  return sha;
}

/** The longest branch, then tag, among the prefixes of `segments`, with the object it points at. */
async function longestRef(api: GitHubApi, location: GitHubLocation, segments: string[]): Promise<{ entry: RefEntry; length: number } | undefined> {
  const first = segments[0]!;
  const [heads, tags] = await Promise.all([
    api.matchingRefs(location.owner, location.repo, "heads", first),
    api.matchingRefs(location.owner, location.repo, "tags", first),
  ]);
  for (let length = segments.length; length >= 1; length--) {
    const name = segments.slice(0, length).join("/");
    const entry = heads.find((ref) => ref.name === name) ?? tags.find((ref) => ref.name === name);
    if (entry) return { entry, length };
  }
  return undefined;
}

function describeCandidates(segments: string[]): string {
  const names = segments.map((_, i) => `"${segments.slice(0, i + 1).join("/")}"`);
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}

/** Splits the tree segments into REF and PATH and finds the commit, with errors naming what is missing. */
async function resolveTree(api: GitHubApi, location: GitHubLocation, segments: string[]): Promise<ResolvedLocation> {
  const found = await longestRef(api, location, segments);
  if (found) {
    const ref = found.entry.name;
    return { ref, commit: await commitOf(api, location, found.entry), path: segments.slice(found.length).join("/") };
  }
  const first = segments[0]!;
  const commit = SHA.test(first) ? await api.commitSha(location.owner, location.repo, first) : undefined;
  if (commit) return { ref: first, commit, path: segments.slice(1).join("/") };
  throw notFound(
    "ref",
    `no branch, tag or commit named ${describeCandidates(segments)} in "${location.owner}/${location.repo}"`,
    { repository: `${location.owner}/${location.repo}`, ref: segments.join("/") },
  );
}

export interface ResolveOptions {
  /** Resolve exactly this ref and path (an upgrade follows what was recorded, not a new split). */
  pinned?: { ref: string; path: string } | undefined;
}

/**
 * Resolves a location to a commit and a package folder that exist.
 *
 * @example
 * await resolveLocation(api, parseGitHubUrl("https://github.com/acme/pkgs/tree/feature/x/db"))
 * // { ref: "feature/x", commit: "3f5c…", path: "db" } when the branch "feature/x" exists
 */
export async function resolveLocation(api: GitHubApi, location: GitHubLocation, options: ResolveOptions = {}): Promise<ResolvedLocation> {
  const repository = `${location.owner}/${location.repo}`;
  const info = await api.repository(location.owner, location.repo);
  if (!info) {
    throw notFound(
      "repository",
      `repository "${repository}" not found at ${api.baseUrl} (a private repository needs a GITHUB_TOKEN that can read it)`,
      { repository },
    );
  }
  const { pinned } = options;
  const resolved =
    location.tree.length === 0
      ? await resolveTree(api, location, [info.defaultBranch])
      : pinned
        ? { ...(await resolveTree(api, location, [pinned.ref])), path: pinned.path }
        : await resolveTree(api, location, location.tree);
  if (resolved.path !== "") await checkFolder(api, location, resolved);
  return resolved;
}

async function checkFolder(api: GitHubApi, location: GitHubLocation, resolved: ResolvedLocation): Promise<void> {
  const kind = await api.pathKind(location.owner, location.repo, resolved.path, resolved.commit);
  if (kind === "folder") return;
  const at = `"${location.owner}/${location.repo}" at ${resolved.ref} (${resolved.commit.slice(0, 7)})`;
  throw notFound("path", kind === "file" ? `path "${resolved.path}" in ${at} is a file, not a package folder` : `path "${resolved.path}" not found in ${at}`, {
    repository: `${location.owner}/${location.repo}`,
    ref: resolved.ref,
    path: resolved.path,
  });
}

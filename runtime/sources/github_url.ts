// Parses the GitHub URLs a package is added from: a repository, or a tree at
// a ref with an optional path. Where REF ends and PATH begins is decided later, against the repository.

import { badRequest } from "../errors.ts";

/** A parsed GitHub URL. */
export interface GitHubLocation {
  owner: string;
  repo: string;
  /** The segments after `/tree/` (REF and PATH together), decoded; empty for a repository URL. */
  tree: string[];
  /** The URL in one canonical spelling: what is recorded, and the key for "already there". */
  url: string;
}

export const ACCEPTED_FORMS =
  "https://github.com/OWNER/REPO, https://github.com/OWNER/REPO/tree/REF or https://github.com/OWNER/REPO/tree/REF/PATH";

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
 
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The web origins whose URLs name repositories of the configured API:
 * github.com for api.github.com, and the API's own origin for GitHub Enterprise (or a test server).
 */
export function webOriginsFor(apiBase: string): string[] {
  const origins = ["https://github.com", "https://www.github.com"];
  const api = new URL(apiBase);
  if (api.hostname !== "api.github.com") origins.push(api.origin);
  return origins;
}

function refuse(input: string, why: string): never {
  throw badRequest(`git_url ${JSON.stringify(input)} ${why}; accepted forms: ${ACCEPTED_FORMS}`, {
    accepted: ACCEPTED_FORMS.split(/, | or /),
  });
}

function decodeSegment(input: string, segment: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    refuse(input, `has a segment that is not valid percent-encoding (${JSON.stringify(segment)})`);
  }
  if (decoded === "" || decoded === "." || decoded === ".." || decoded.includes("/") || CONTROL.test(decoded)) {
    refuse(input, `has a segment that cannot be part of a ref or path (${JSON.stringify(decoded)})`);
  }
  return decoded;
}

/**
 * Parses a GitHub repository or tree URL.
 *
 * @example
 * parseGitHubUrl("https://github.com/acme/pkgs/tree/feature/x/db")
 * // { owner: "acme", repo: "pkgs", tree: ["feature", "x", "db"], url: "https://github.com/acme/pkgs/tree/feature/x/db" }
 */
export function parseGitHubUrl(input: string, origins: readonly string[] = webOriginsFor("https://api.github.com")): GitHubLocation {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    refuse(input, "is not a URL");
  }
  if (!origins.includes(url.origin)) refuse(input, `is not on ${origins.map((o) => new URL(o).host).join(" or ")}`);
  if (url.username || url.password || url.search || url.hash) refuse(input, "may not carry credentials, a query or a fragment");
  const segments = url.pathname.split("/").slice(1);
  if (segments.at(-1) === "") segments.pop();
  const [owner, repoSegment, marker, ...tree] = segments;
  if (owner === undefined || repoSegment === undefined) refuse(input, "does not name a repository");
  const repo = marker === undefined ? repoSegment.replace(/\.git$/, "") : repoSegment;
  if (!OWNER.test(owner) || !REPO.test(repo) || repo === "." || repo === "..") {
    refuse(input, `does not name a repository (owner ${JSON.stringify(owner)}, repository ${JSON.stringify(repo)})`);
  }
  if (marker !== undefined && (marker !== "tree" || tree.length === 0)) {
    refuse(input, marker === "tree" ? "has no REF after /tree/" : `points at /${marker}/, not at a tree`);
  }
  const decoded = tree.map((segment) => decodeSegment(input, segment));
  // Owner and repository names are case-insensitive on GitHub; refs and paths are not.
  // www.github.com serves the same repositories as github.com, so it is spelled as github.com.
  const origin = url.origin === "https://www.github.com" ? "https://github.com" : url.origin;
  const base = `${origin}/${owner.toLowerCase()}/${repo.toLowerCase()}`;
  const canonical = decoded.length === 0 ? base : `${base}/tree/${decoded.map(encodeURIComponent).join("/")}`;
  return { owner, repo, tree: decoded, url: canonical };
}

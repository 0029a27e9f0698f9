// Adding packages from GitHub URLs against a fake GitHub: each URL form, refs
// resolved against the repository, and every failure of the source answered clearly.

import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { assertApiError } from "../helpers/assertions.ts";
import { assertNothingLeft, useGitHubHost, writeRepo, type GitHubTestHost } from "../helpers/registries/github_host.ts";

const START_LOG = `export default { start(ctx) { console.log("start", ctx.package.version); } };`;

async function add(h: GitHubTestHost, body: Record<string, unknown>) {
  return h.json("POST", "/v1/packages", { body });
}

/** A repository "acme/pkgs" with the package "clock" in `clock/`, a README and another folder beside it. */
async function monorepo(t: Parameters<typeof writeRepo>[0], h: GitHubTestHost, version = "1.0.0") {
  const repo = h.github.repo("acme/pkgs");
  const folder = await writeRepo(
    t,
    { clock: { name: "clock", manifest: { version }, files: { "mod.ts": START_LOG, "lib/util.ts": "export const x = 1;\n" } } },
    { "README.md": "# pkgs\n", "other/big.txt": "x".repeat(10_000) },
  );
  return { repo, commit: repo.commit({ folder }, "main") };
}

describe("POST /v1/packages with a git_url: URL forms and refs", () => {
  test("a repository URL adds the root of the default branch", async (t) => {
    const h = await useGitHubHost(t);
    const repo = h.github.repo("acme/clock");
    repo.defaultBranch = "trunk";
    const commit = repo.commit({ folder: await writeRepo(t, { "": { name: "@acme/clock", files: { "mod.ts": START_LOG } } }) }, "trunk");
    const added = await add(h, { git_url: "https://github.com/acme/clock", start: true });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal(added.body.name, "@acme/clock");
    assert.equal(added.body.state, "running");
    assert.deepEqual(added.body.source, { kind: "git", url: "https://github.com/acme/clock", ref: "trunk", commit });
    assert.deepEqual(h.host.logs.tail("@acme/clock", 5).map((e) => e.message), ["start 1.0.0"]);
  });

  test("a tree URL at a branch adds the repository root at that branch", async (t) => {
    const h = await useGitHubHost(t);
    const repo = h.github.repo("acme/clock");
    repo.commit({ folder: await writeRepo(t, { "": { name: "clock" } }) }, "main");
    const dev = repo.commit({ folder: await writeRepo(t, { "": { name: "clock", manifest: { version: "2.0.0-dev" } } }) }, "dev");
    const added = await add(h, { git_url: "https://github.com/acme/clock/tree/dev" });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal(added.body.version, "2.0.0-dev");
    assert.deepEqual(added.body.source, { kind: "git", url: "https://github.com/acme/clock/tree/dev", ref: "dev", commit: dev });
  });

  test("a tree URL with a path writes only that folder, from a tarball behind a redirect", async (t) => {
    const h = await useGitHubHost(t);
    const { commit } = await monorepo(t, h);
    const added = await add(h, { git_url: "https://github.com/acme/pkgs/tree/main/clock/" });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual(added.body.source, { kind: "git", url: "https://github.com/acme/pkgs/tree/main/clock", ref: "main", commit, path: "clock" });
    const folder = h.host.store.packages.get("clock")!.folder;
    assert.ok(folder.startsWith(path.join(h.dataDir, "packages", "clock", "versions") + path.sep), folder);
    assert.deepEqual((await readdir(folder, { recursive: true })).sort(), ["deno.json", "lib", "lib/util.ts", "mod.ts"]);
    assert.equal(h.github.count(/^GET \/repos\/acme\/pkgs\/tarball\//), 1);
    assert.equal(h.github.downloads, 1);
    assert.deepEqual(await readdir(path.join(h.dataDir, "staging")), []);
  });

  test("the ThreeBot phonebook URL adds the folder deep inside the repository", async (t) => {
    const h = await useGitHubHost(t);
    const repo = h.github.repo("threefoldtech/jumpscaleX_threebot");
    repo.defaultBranch = "master";
    const folder = await writeRepo(t, { "ThreeBotPackages/threefold/phonebook": { name: "@threefold/phonebook" } }, { "README.md": "jsx" });
    repo.commit({ folder }, "master");
    const url = "https://github.com/threefoldtech/jumpscaleX_threebot/tree/master/ThreeBotPackages/threefold/phonebook";
    const added = await add(h, { git_url: url });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal(added.body.name, "@threefold/phonebook");
    assert.equal(added.body.source.url, url.replace("jumpscaleX", "jumpscalex"));
    assert.equal(added.body.source.path, "ThreeBotPackages/threefold/phonebook");
  });

  test("a branch with slashes is split from the path by the longest ref that exists", async (t) => {
    const h = await useGitHubHost(t);
    const repo = h.github.repo("acme/pkgs");
    // "feature" also exists and also holds x/y/clock: the longer "feature/x" must win.
    repo.commit({ folder: await writeRepo(t, { "x/y/clock": { name: "clock", manifest: { version: "0.0.1" } } }) }, "feature");
    const long = repo.commit({ folder: await writeRepo(t, { "y/clock": { name: "clock", manifest: { version: "0.2.0" } } }) }, "feature/x");
    const added = await add(h, { git_url: "https://github.com/acme/pkgs/tree/feature/x/y/clock" });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal(added.body.version, "0.2.0");
    assert.deepEqual(added.body.source, {
      kind: "git",
      url: "https://github.com/acme/pkgs/tree/feature/x/y/clock",
      ref: "feature/x",
      commit: long,
      path: "y/clock",
    });
  });

  test("a tag, lightweight or annotated, resolves to its commit", async (t) => {
    const h = await useGitHubHost(t);
    const repo = h.github.repo("acme/pkgs");
    const v1 = repo.commit({ folder: await writeRepo(t, { clock: { name: "clock" }, alarm: { name: "alarm" } }) }, "main");
    repo.tag("v1.0.0", v1);
    repo.tag("release/1", v1, { annotated: true });
    const light = await add(h, { git_url: "https://github.com/acme/pkgs/tree/v1.0.0/clock" });
    assert.deepEqual(light.body.source, { kind: "git", url: "https://github.com/acme/pkgs/tree/v1.0.0/clock", ref: "v1.0.0", commit: v1, path: "clock" });
    const annotated = await add(h, { git_url: "https://github.com/acme/pkgs/tree/release/1/alarm" });
    assert.equal(annotated.status, 200, JSON.stringify(annotated.body));
    assert.deepEqual(annotated.body.source, {
      kind: "git",
      url: "https://github.com/acme/pkgs/tree/release/1/alarm",
      ref: "release/1",
      commit: v1,
      path: "alarm",
    });
  });

  test("a commit SHA, full or short, records the full SHA", async (t) => {
    const h = await useGitHubHost(t);
    const repo = h.github.repo("acme/pkgs");
    const old = repo.commit({ folder: await writeRepo(t, { clock: { name: "clock", manifest: { version: "0.9.0" } }, alarm: { name: "alarm" } }) });
    repo.commit({ folder: await writeRepo(t, { clock: { name: "clock" } }) }, "main");
    const full = await add(h, { git_url: `https://github.com/acme/pkgs/tree/${old}/clock` });
    assert.equal(full.status, 200, JSON.stringify(full.body));
    assert.equal(full.body.version, "0.9.0");
    assert.deepEqual(full.body.source, { kind: "git", url: `https://github.com/acme/pkgs/tree/${old}/clock`, ref: old, commit: old, path: "clock" });
    const short = await add(h, { git_url: `https://github.com/acme/pkgs/tree/${old.slice(0, 7)}/alarm` });
    assert.equal(short.status, 200, JSON.stringify(short.body));
    assert.equal(short.body.source.commit, old);
    assert.equal(short.body.source.ref, old.slice(0, 7));
  });

  test("a private repository is read with the configured token", async (t) => {
    const h = await useGitHubHost(t, { githubToken: "s3cret" }, { token: "s3cret" });
    const repo = h.github.repo("acme/secret", { private: true });
    repo.commit({ folder: await writeRepo(t, { "": { name: "secret" } }) }, "main");
    const added = await add(h, { git_url: "https://github.com/acme/secret" });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal(added.body.name, "secret");
  });

  test("a second add of the same URL without reload fetches nothing", async (t) => {
    const h = await useGitHubHost(t);
    await monorepo(t, h);
    const first = await add(h, { git_url: "https://github.com/acme/pkgs/tree/main/clock" });
    const requests = h.github.requests.length;
    const second = await add(h, { git_url: "https://github.com/acme/pkgs/tree/main/clock/" });
    assert.deepEqual(second.body, first.body);
    assert.equal(h.github.requests.length, requests, "no request to GitHub");
  });

  test("reload fetches again, and the previous version stays on disk", async (t) => {
    const h = await useGitHubHost(t);
    const { repo } = await monorepo(t, h);
    const first = await add(h, { git_url: "https://github.com/acme/pkgs/tree/main/clock", start: true });
    const next = repo.commit({ folder: await writeRepo(t, { clock: { name: "clock", manifest: { version: "1.1.0" }, files: { "mod.ts": START_LOG } } }) }, "main");
    const reloaded = await add(h, { git_url: "https://github.com/acme/pkgs/tree/main/clock", reload: true });
    assert.equal(reloaded.status, 200, JSON.stringify(reloaded.body));
    assert.equal(reloaded.body.version, "1.1.0");
    assert.equal(reloaded.body.state, "running");
    assert.equal(reloaded.body.source.commit, next);
    assert.equal((await readdir(path.join(h.dataDir, "packages", "clock", "versions"))).length, 2);
    assert.notEqual(reloaded.body.integrity, first.body.integrity);
  });

  test("a package named like one installed from elsewhere is 409 name_taken, and its download is removed", async (t) => {
    const h = await useGitHubHost(t);
    await monorepo(t, h);
    h.github.repo("evil/fork").commit({ folder: await writeRepo(t, { "": { name: "clock" } }) }, "main");
    assert.equal((await add(h, { git_url: "https://github.com/acme/pkgs/tree/main/clock" })).status, 200);
    const versions = path.join(h.dataDir, "packages", "clock", "versions");
    const before = await readdir(versions);
    assertApiError(await add(h, { git_url: "https://github.com/evil/fork" }), 409, "name_taken", /"clock".*installed from https:\/\/github\.com\/acme\/pkgs/);
    assert.deepEqual(await readdir(versions), before);
    assert.deepEqual(await readdir(path.join(h.dataDir, "staging")), []);
  });
});

describe("POST /v1/packages with a git_url: failures change nothing", () => {
  test("an unknown repository is 404 source_not_found naming the repository", async (t) => {
    const h = await useGitHubHost(t);
    const answer = await add(h, { git_url: "https://github.com/acme/nope/tree/main/x" });
    assertApiError(answer, 404, "source_not_found", /repository "acme\/nope" not found/);
    assert.equal(answer.body.error.what, "repository");
    await assertNothingLeft(h);
  });

  test("an unknown ref is 404 source_not_found naming every ref it tried", async (t) => {
    const h = await useGitHubHost(t);
    await monorepo(t, h);
    const answer = await add(h, { git_url: "https://github.com/acme/pkgs/tree/nope/clock" });
    assertApiError(answer, 404, "source_not_found", /no branch, tag or commit named "nope" or "nope\/clock" in "acme\/pkgs"/);
    assert.equal(answer.body.error.what, "ref");
    await assertNothingLeft(h);
  });

  test("a path that is not in the repository is 404 source_not_found, and nothing is downloaded", async (t) => {
    const h = await useGitHubHost(t);
    await monorepo(t, h);
    const answer = await add(h, { git_url: "https://github.com/acme/pkgs/tree/main/missing/pkg" });
    assertApiError(answer, 404, "source_not_found", /path "missing\/pkg" not found in "acme\/pkgs" at main \([0-9a-f]{7}\)/);
    assert.equal(answer.body.error.what, "path");
    assert.equal(h.github.downloads, 0);
    await assertNothingLeft(h);
  });

  test("a path that is a file is 404 source_not_found", async (t) => {
    const h = await useGitHubHost(t);
    await monorepo(t, h);
    assertApiError(await add(h, { git_url: "https://github.com/acme/pkgs/tree/main/README.md" }), 404, "source_not_found", /"README\.md".*is a file/);
    await assertNothingLeft(h);
  });

  test("a private repository without a token is 404 source_not_found that mentions GITHUB_TOKEN", async (t) => {
    const h = await useGitHubHost(t, {}, { token: "s3cret" });
    h.github.repo("acme/secret", { private: true }).commit({ folder: await writeRepo(t, { "": { name: "secret" } }) }, "main");
    assertApiError(await add(h, { git_url: "https://github.com/acme/secret" }), 404, "source_not_found", /"acme\/secret" not found.*GITHUB_TOKEN/);
    await assertNothingLeft(h);
  });

  test("a rate-limited GitHub is 503 rate_limited with Retry-After", async (t) => {
    const h = await useGitHubHost(t);
    await monorepo(t, h);
    h.github.rateLimitResetIn = 120;
    const response = await h.request("POST", "/v1/packages", { body: { git_url: "https://github.com/acme/pkgs/tree/main/clock" } });
    const body = (await response.json()) as any;
    assertApiError({ status: response.status, body }, 503, "rate_limited", /rate limit is reached; retry after \d{4}-\d\d-\d\dT.*\(in 1[12]\d s\)/);
    assert.ok(body.error.retryAfter >= 110 && body.error.retryAfter <= 120, String(body.error.retryAfter));
    assert.equal(response.headers.get("retry-after"), String(body.error.retryAfter));
    assert.equal(h.github.count(/^GET \/repos\//), 1, "a rate limit is not retried");
    await assertNothingLeft(h);
  });

  test("a GitHub that answers 5xx a few times is retried with backoff", async (t) => {
    const h = await useGitHubHost(t);
    await monorepo(t, h);
    h.github.failNext = 2;
    const added = await add(h, { git_url: "https://github.com/acme/pkgs/tree/main/clock" });
    assert.equal(added.status, 200, JSON.stringify(added.body));
  });

  test("a GitHub that keeps answering 5xx is 502 source_unreachable after bounded retries", async (t) => {
    const h = await useGitHubHost(t);
    await monorepo(t, h);
    h.github.failNext = 1_000;
    h.github.failStatus = 503;
    const answer = await add(h, { git_url: "https://github.com/acme/pkgs/tree/main/clock" });
    assertApiError(answer, 502, "source_unreachable", /answered 503.*gave up after 3 attempts/);
    assert.equal(h.github.count(/^GET \/repos\//), 3);
    await assertNothingLeft(h);
  });

  test("an unreachable GitHub is 502 source_unreachable", async (t) => {
    const h = await useGitHubHost(t, { githubApi: "http://127.0.0.1:9" });
    const answer = await add(h, { git_url: "https://github.com/acme/pkgs" });
    assertApiError(answer, 502, "source_unreachable", /GitHub at http:\/\/127\.0\.0\.1:9 did not answer.*gave up after 3 attempts/);
    await assertNothingLeft(h);
  });

  test("a download cut off midway is retried from scratch", async (t) => {
    const h = await useGitHubHost(t);
    await monorepo(t, h);
    h.github.cutDownloads = 1;
    const added = await add(h, { git_url: "https://github.com/acme/pkgs/tree/main/clock" });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal(h.github.downloads, 2);
    assert.deepEqual(await readdir(path.join(h.dataDir, "staging")), []);
  });

  test("a download cut off at every attempt is 502 source_unreachable", async (t) => {
    const h = await useGitHubHost(t);
    await monorepo(t, h);
    h.github.cutDownloads = 100;
    assertApiError(await add(h, { git_url: "https://github.com/acme/pkgs/tree/main/clock" }), 502, "source_unreachable", /download was cut off.*gave up after 3 attempts/);
    assert.equal(h.github.downloads, 3);
    await assertNothingLeft(h);
  });

  test("a download that stalls is cut off after the timeout", async (t) => {
    const h = await useGitHubHost(t, { githubTimeoutMs: 300, githubRetries: 0 });
    await monorepo(t, h);
    h.github.stallDownloads = 1;
    const started = Date.now();
    assertApiError(await add(h, { git_url: "https://github.com/acme/pkgs/tree/main/clock" }), 502, "source_unreachable", /cut off \(no data for 300 ms\)/);
    assert.ok(Date.now() - started < 10_000);
    await assertNothingLeft(h);
  });

  const badUrls: [string, string, RegExp][] = [
    ["not a URL", "github.com/acme/pkgs", /is not a URL/],
    ["another host", "https://gitlab.com/acme/pkgs", /is not on github\.com/],
    ["http instead of https", "http://github.com/acme/pkgs", /is not on github\.com/],
    ["a blob URL", "https://github.com/acme/pkgs/blob/main/mod.ts", /points at \/blob\/, not at a tree/],
    ["a tree without a ref", "https://github.com/acme/pkgs/tree/", /has no REF after \/tree\//],
    ["only an owner", "https://github.com/acme", /does not name a repository/],
    ["a query string", "https://github.com/acme/pkgs?tab=readme", /query/],
    ["credentials", "https://user:pw@github.com/acme/pkgs", /credentials/],
    ["an encoded ..", "https://github.com/acme/pkgs/tree/main/a%2F..%2F..%2Fetc", /cannot be part of a ref or path/],
    ["a bad owner", "https://github.com/-acme-/pkgs", /does not name a repository/],
  ];
  for (const [what, url, message] of badUrls) {
    test(`a git_url that is ${what} is 400 naming the accepted forms`, async (t) => {
      const h = await useGitHubHost(t);
      const answer = await add(h, { git_url: url });
      assertApiError(answer, 400, "bad_request", message);
      assert.match(answer.body.error.message, /accepted forms: https:\/\/github\.com\/OWNER\/REPO, .*\/tree\/REF or .*\/tree\/REF\/PATH/);
      assert.equal(h.github.requests.length, 0);
      await assertNothingLeft(h);
    });
  }
});

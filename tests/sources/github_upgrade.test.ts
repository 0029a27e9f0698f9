// upgrade(name) through the API: a new commit is swapped in with its
// dependents restarted; no change downloads nothing; a version that fails is rolled back.

import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test, type TestContext } from "node:test";
import { assertApiError } from "../helpers/assertions.ts";
import { useGitHubHost, writeRepo, type GitHubTestHost } from "../helpers/registries/github_host.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { useHost } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";

const LOGGING = `export default {
  start(ctx) { console.log("start", ctx.package.name, ctx.package.version); },
  stop(ctx) { console.log("stop", ctx.package.name, ctx.package.version); },
};`;
const URL = "https://github.com/acme/pkgs/tree/main/clock";

/** Commits version `version` of "clock" (in `clock/`) to main; `mod` replaces its module. */
async function commitClock(t: TestContext, h: GitHubTestHost, version: string, mod = LOGGING, manifest: Record<string, unknown> = {}) {
  const repo = h.github.repos.get("acme/pkgs") ?? h.github.repo("acme/pkgs");
  const folder = await writeRepo(t, { clock: { name: "clock", manifest: { version, ...manifest }, files: { "mod.ts": mod } } });
  return repo.commit({ folder }, "main");
}

async function addRunningClock(t: TestContext, h: GitHubTestHost) {
  const commit = await commitClock(t, h, "1.0.0");
  const added = await h.json("POST", "/v1/packages", { body: { git_url: URL, start: true } });
  assert.equal(added.status, 200, JSON.stringify(added.body));
  // The package's data folder holds state that must survive whatever happens to its code.
  await writeFile(path.join(h.host.layout.dataDir("clock"), "state.json"), '{"ticks":42}');
  return { commit, added: added.body };
}

const logs = (h: GitHubTestHost, name = "clock") => h.host.logs.tail(name, 50).map((e) => e.message);
const versions = (h: GitHubTestHost) => readdir(h.host.layout.versionsDir("clock"));

describe("POST /v1/packages/{name}/upgrade", () => {
  test("a new commit is fetched, swapped in and started; the data folder and the previous version stay", async (t) => {
    const h = await useGitHubHost(t);
    const { commit: v1, added } = await addRunningClock(t, h);
    const v2 = await commitClock(t, h, "1.1.0");
    const upgraded = await h.json("POST", "/v1/packages/clock/upgrade");
    assert.equal(upgraded.status, 200, JSON.stringify(upgraded.body));
    assert.equal(upgraded.body.version, "1.1.0");
    assert.equal(upgraded.body.state, "running");
    assert.equal(upgraded.body.source.commit, v2);
    assert.equal(upgraded.body.upgrade.status, "upgraded");
    assert.deepEqual(upgraded.body.upgrade.from, { version: "1.0.0", commit: v1, integrity: added.integrity });
    assert.equal(upgraded.body.upgrade.to.commit, v2);
    assert.deepEqual(logs(h), ["start clock 1.0.0", "stop clock 1.0.0", "start clock 1.1.0"]);
    assert.equal(await readFile(path.join(h.host.layout.dataDir("clock"), "state.json"), "utf8"), '{"ticks":42}');
    assert.equal((await versions(h)).length, 2, "the previous version is kept until the next successful upgrade");
    assert.equal(h.github.downloads, 2);
  });

  test("the version before the previous one is removed by the next successful upgrade", async (t) => {
    const h = await useGitHubHost(t);
    await addRunningClock(t, h);
    const v1Folder = h.host.store.packages.get("clock")!.folder;
    await commitClock(t, h, "1.1.0");
    await h.json("POST", "/v1/packages/clock/upgrade");
    const v2Folder = h.host.store.packages.get("clock")!.folder;
    await commitClock(t, h, "1.2.0");
    await h.json("POST", "/v1/packages/clock/upgrade");
    const v3Folder = h.host.store.packages.get("clock")!.folder;
    assert.deepEqual((await versions(h)).sort(), [path.basename(v2Folder), path.basename(v3Folder)].sort());
    assert.ok(!(await versions(h)).includes(path.basename(v1Folder)));
  });

  test("the same commit is up to date: nothing is downloaded and nothing restarts", async (t) => {
    const h = await useGitHubHost(t);
    const { added } = await addRunningClock(t, h);
    const downloads = h.github.downloads;
    const upgraded = await h.json("POST", "/v1/packages/clock/upgrade");
    assert.equal(upgraded.status, 200, JSON.stringify(upgraded.body));
    assert.equal(upgraded.body.upgrade.status, "up_to_date");
    assert.equal(upgraded.body.updatedAt, added.updatedAt);
    assert.equal(h.github.downloads, downloads);
    assert.equal(h.github.count(/tarball/), 1);
    assert.deepEqual(logs(h), ["start clock 1.0.0"]);
    const audit = h.host.store.operations.list({}).filter((op) => op.operation === "upgrade");
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.result, "ok");
  });

  test("a new version that fails to start is rolled back: the old version runs again, its data intact", async (t) => {
    const h = await useGitHubHost(t);
    const { commit: v1 } = await addRunningClock(t, h);
    const v1Folder = h.host.store.packages.get("clock")!.folder;
    await commitClock(t, h, "2.0.0", `export default { start() { throw new Error("v2 cannot start"); } };`);
    const answer = await h.json("POST", "/v1/packages/clock/upgrade");
    assertApiError(answer, 422, "upgrade_failed", /cannot upgrade "clock" to 2\.0\.0 \([0-9a-f]{7}\):.*v2 cannot start.*rolled back to 1\.0\.0/);
    assert.equal(answer.body.error.rolledBack, true);
    assert.equal(answer.body.error.reason, "uncaught-error");
    const now = await h.json("GET", "/v1/packages/clock");
    assert.equal(now.body.version, "1.0.0");
    assert.equal(now.body.state, "running");
    assert.equal(now.body.error, null);
    assert.equal(now.body.source.commit, v1);
    assert.equal(h.host.store.packages.get("clock")!.folder, v1Folder);
    assert.deepEqual(logs(h), ["start clock 1.0.0", "stop clock 1.0.0", "start clock 1.0.0"]);
    assert.equal(await readFile(path.join(h.host.layout.dataDir("clock"), "state.json"), "utf8"), '{"ticks":42}');
    assert.deepEqual(await versions(h), [path.basename(v1Folder)], "the failed version is removed");
  });

  test("a new version that fails to validate changes nothing and does not restart the package", async (t) => {
    const h = await useGitHubHost(t);
    await addRunningClock(t, h);
    await commitClock(t, h, "2.0.0", `import x from "jsr:left-pad";\nexport default x;`);
    const answer = await h.json("POST", "/v1/packages/clock/upgrade");
    assertApiError(answer, 422, "upgrade_failed", /the new version is not valid: .*import "jsr:left-pad": JSR package names have a scope.*nothing changed/);
    assert.equal(answer.body.error.rolledBack, true);
    assert.equal(answer.body.error.reason, "invalid_package");
    assert.equal((await h.json("GET", "/v1/packages/clock")).body.version, "1.0.0");
    assert.deepEqual(logs(h), ["start clock 1.0.0"]);
    assert.equal((await versions(h)).length, 1);
  });

  test("a new version with another name is refused", async (t) => {
    const h = await useGitHubHost(t);
    await addRunningClock(t, h);
    const repo = h.github.repos.get("acme/pkgs")!;
    repo.commit({ folder: await writeRepo(t, { clock: { name: "not-clock" } }) }, "main");
    assertApiError(await h.json("POST", "/v1/packages/clock/upgrade"), 422, "upgrade_failed", /named "not-clock", not "clock"/);
    assert.equal((await h.json("GET", "/v1/packages/clock")).body.state, "running");
  });

  test("running dependents are stopped before the swap and started after it", async (t) => {
    const h = await useGitHubHost(t);
    await addRunningClock(t, h);
    const dir = await useTmp(t);
    const alarm = await writePackage(dir, "alarm", { manifest: { isopod: { dependencies: { clock: "^1.0.0" } } }, files: { "mod.ts": LOGGING } });
    assert.equal((await h.json("POST", "/v1/packages", { body: { path: alarm, start: true } })).status, 200);
    await commitClock(t, h, "1.1.0");
    const upgraded = await h.json("POST", "/v1/packages/clock/upgrade");
    assert.equal(upgraded.status, 200, JSON.stringify(upgraded.body));
    const both = [...h.host.store.logs.tail("clock", 10), ...h.host.store.logs.tail("alarm", 10)].sort((a, b) => a.id - b.id);
    assert.deepEqual(
      both.map((entry) => entry.message),
      ["start clock 1.0.0", "start alarm 1.0.0", "stop alarm 1.0.0", "stop clock 1.0.0", "start clock 1.1.0", "start alarm 1.0.0"],
    );
    assert.equal((await h.json("GET", "/v1/packages/alarm")).body.state, "running");
  });

  test("a new version outside a dependent's range is refused before anything stops", async (t) => {
    const h = await useGitHubHost(t);
    await addRunningClock(t, h);
    const dir = await useTmp(t);
    const alarm = await writePackage(dir, "alarm", { manifest: { isopod: { dependencies: { clock: "^1.0.0" } } } });
    await h.json("POST", "/v1/packages", { body: { path: alarm } });
    await commitClock(t, h, "2.0.0");
    assertApiError(await h.json("POST", "/v1/packages/clock/upgrade"), 422, "upgrade_failed", /2\.0\.0 of "clock" is outside .*"alarm" needs \^1\.0\.0/);
    assert.deepEqual(logs(h), ["start clock 1.0.0"]);
  });

  test("a source failure during upgrade is answered as such and changes nothing", async (t) => {
    const h = await useGitHubHost(t);
    await addRunningClock(t, h);
    h.github.rateLimitResetIn = 30;
    assertApiError(await h.json("POST", "/v1/packages/clock/upgrade"), 503, "rate_limited");
    h.github.rateLimitResetIn = undefined;
    h.github.repos.get("acme/pkgs")!.branches.delete("main");
    assertApiError(await h.json("POST", "/v1/packages/clock/upgrade"), 404, "source_not_found", /no branch, tag or commit named "main"/);
    assert.equal((await h.json("GET", "/v1/packages/clock")).body.state, "running");
  });

  test("upgrading a package that is not installed is 404", async (t) => {
    const h = await useGitHubHost(t);
    assertApiError(await h.json("POST", "/v1/packages/nope/upgrade"), 404, "not_found", /"nope" is not installed/);
  });
});

describe("upgrade of a path package", () => {
  test("unchanged files: nothing happens; edited files: the new version is swapped in", async (t) => {
    const h = await useHost(t);
    const root = await writePackage(await useTmp(t), "local", { files: { "mod.ts": LOGGING } });
    await h.json("POST", "/v1/packages", { body: { path: root, start: true } });
    const same = await h.json("POST", "/v1/packages/local/upgrade");
    assert.equal(same.body.upgrade.status, "up_to_date");
    await writePackage(path.dirname(root), "local", { manifest: { version: "1.0.1" }, files: { "mod.ts": LOGGING } });
    const changed = await h.json("POST", "/v1/packages/local/upgrade");
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.upgrade.status, "upgraded");
    assert.equal(changed.body.version, "1.0.1");
    assert.deepEqual(h.host.logs.tail("local", 10).map((e) => e.message), ["start local 1.0.0", "stop local 1.0.0", "start local 1.0.1"]);
  });

  test("edited files that fail to start cannot be rolled back (the old files are gone): rolledBack false", async (t) => {
    const h = await useHost(t);
    const root = await writePackage(await useTmp(t), "local", { files: { "mod.ts": LOGGING } });
    await h.json("POST", "/v1/packages", { body: { path: root, start: true } });
    await writePackage(path.dirname(root), "local", { files: { "mod.ts": `export default { start() { throw new Error("broken edit"); } };` } });
    const answer = await h.json("POST", "/v1/packages/local/upgrade");
    assertApiError(answer, 422, "upgrade_failed", /broken edit.*rolling back to 1\.0\.0 failed too/);
    assert.equal(answer.body.error.rolledBack, false);
    const now = await h.json("GET", "/v1/packages/local");
    assert.equal(now.body.state, "failed");
    assert.equal(now.body.error.code, "integrity");
  });
});

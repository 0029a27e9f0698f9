// Adding packages from GitHub URLs against a fake GitHub: each URL form, refs
// resolved against the repository, and every failure of the source answered clearly.

import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { describe, test } from "node:test";
import { assertApiError, assertNothingInstalled } from "./helpers/assertions.ts";
import { useGitHubHost, writeRepo } from "./helpers/github_host.ts";

const START_LOG = `export default { start(ctx) { console.log("start", ctx.package.version); } };`;

describe("POST /v1/packages with a git_url", () => {
  test("a repository URL adds the root of the default branch", async (t) => {
    const h = await useGitHubHost(t);
    const repo = h.github.repo("acme/clock");
    const commit = repo.commit({ folder: await writeRepo(t, { "": { name: "@acme/clock", files: { "mod.ts": START_LOG } } }) }, "main");
    const added = await h.json("POST", "/v1/packages", { body: { git_url: "https://github.com/acme/clock", start: true } });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal(added.body.name, "@acme/clock");
    assert.equal(added.body.state, "running");
    assert.deepEqual(added.body.source, { kind: "git", url: "https://github.com/acme/clock", ref: "main", commit });
    assert.deepEqual(h.host.logs.tail("@acme/clock", 5).map((e) => e.message), ["start 1.0.0"]);
  });
});

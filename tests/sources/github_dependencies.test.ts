// Dependencies declared with a `source`: installed first, recursively, before
// the package that needs them; a cycle among sources is refused and nothing is installed.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertApiError } from "../helpers/assertions.ts";
import { assertNothingLeft, useGitHubHost, writeRepo } from "../helpers/registries/github_host.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { useTmp } from "../helpers/use_tmp.ts";

const tree = (folder: string) => `https://github.com/acme/pkgs/tree/main/${folder}`;
const dependsOn = (deps: Record<string, string>) => ({
  isopod: { dependencies: Object.fromEntries(Object.entries(deps).map(([name, folder]) => [name, { version: "^1.0.0", source: tree(folder) }])) },
});

describe("dependencies with a source", () => {
  test("are installed first, recursively, before the package", async (t) => {
    const h = await useGitHubHost(t);
    const folder = await writeRepo(t, {
      app: { name: "app", manifest: dependsOn({ "@acme/db": "db" }) },
      db: { name: "@acme/db", manifest: dependsOn({ "@acme/base": "base" }) },
      base: { name: "@acme/base" },
    });
    h.github.repo("acme/pkgs").commit({ folder }, "main");
    const added = await h.json("POST", "/v1/packages", { body: { git_url: tree("app") } });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual(added.body.dependencies, { "@acme/db": "^1.0.0" });
    const installed = h.host.store.operations.list({}).filter((op) => op.operation === "add" && op.result === "ok");
    assert.equal(installed.length, 3);
    const order = h.host.packages.list().sort((a, b) => a.installedAt - b.installedAt || 0).map((p) => p.name);
    assert.deepEqual(new Set(order), new Set(["@acme/base", "@acme/db", "app"]));
    assert.equal(h.host.store.packages.get("@acme/db")!.source.path, "db");
    assert.ok(h.host.store.packages.get("@acme/base")!.installedAt <= h.host.store.packages.get("@acme/db")!.installedAt);
    assert.ok(h.host.store.packages.get("@acme/db")!.installedAt <= h.host.store.packages.get("app")!.installedAt);
  });

  test("a path package's sourced dependency is fetched from GitHub first", async (t) => {
    const h = await useGitHubHost(t);
    h.github.repo("acme/pkgs").commit({ folder: await writeRepo(t, { base: { name: "@acme/base" } }) }, "main");
    const root = await writePackage(await useTmp(t), "local", { manifest: dependsOn({ "@acme/base": "base" }) });
    const added = await h.json("POST", "/v1/packages", { body: { path: root } });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal(h.host.store.packages.get("@acme/base")!.source.kind, "git");
  });

  test("a dependency that is already installed is not fetched again", async (t) => {
    const h = await useGitHubHost(t);
    const folder = await writeRepo(t, { app: { name: "app", manifest: dependsOn({ "@acme/base": "base" }) }, base: { name: "@acme/base" } });
    h.github.repo("acme/pkgs").commit({ folder }, "main");
    await h.json("POST", "/v1/packages", { body: { git_url: tree("base") } });
    const downloads = h.github.downloads;
    assert.equal((await h.json("POST", "/v1/packages", { body: { git_url: tree("app") } })).status, 200);
    assert.equal(h.github.downloads, downloads + 1);
  });

  test("a cycle among sources is 409 dependency_cycle naming it, and nothing is installed", async (t) => {
    const h = await useGitHubHost(t);
    const folder = await writeRepo(t, {
      a: { name: "a", manifest: dependsOn({ b: "b" }) },
      b: { name: "b", manifest: dependsOn({ c: "c" }) },
      c: { name: "c", manifest: dependsOn({ a: "a" }) },
    });
    h.github.repo("acme/pkgs").commit({ folder }, "main");
    const answer = await h.json("POST", "/v1/packages", { body: { git_url: tree("a") } });
    assertApiError(answer, 409, "dependency_cycle", /dependency cycle "a" -> "b" -> "c" -> "a"/);
    assert.deepEqual(answer.body.error.cycle, ["a", "b", "c", "a"]);
    await assertNothingLeft(h);
  });

  test("a source that holds another package than the declared name is refused, and nothing is installed", async (t) => {
    const h = await useGitHubHost(t);
    const folder = await writeRepo(t, { app: { name: "app", manifest: dependsOn({ "@acme/db": "impostor" }) }, impostor: { name: "@evil/db" } });
    h.github.repo("acme/pkgs").commit({ folder }, "main");
    const answer = await h.json("POST", "/v1/packages", { body: { git_url: tree("app") } });
    assertApiError(answer, 422, "invalid_package", /dependency "@acme\/db" from .*impostor: .*holds package "@evil\/db", not "@acme\/db"/);
    await assertNothingLeft(h);
  });

  test("a dependency source that cannot be found names the dependency", async (t) => {
    const h = await useGitHubHost(t);
    const folder = await writeRepo(t, { app: { name: "app", manifest: dependsOn({ "@acme/db": "gone" }) } });
    h.github.repo("acme/pkgs").commit({ folder }, "main");
    const answer = await h.json("POST", "/v1/packages", { body: { git_url: tree("app") } });
    assertApiError(answer, 404, "source_not_found", /cannot add "app": dependency "@acme\/db" from .*: path "gone" not found/);
    assert.equal(answer.body.error.dependency, "@acme/db");
    await assertNothingLeft(h);
  });
});

// One suite, two sources: a GitHub repository and a folder on the host must
// behave the same to the lifecycle (fetch, refresh, settle, discard).

import assert from "node:assert/strict";
import { access, readdir } from "node:fs/promises";
import path from "node:path";
import { describe, test, type TestContext } from "node:test";
import type { PackageRecord } from "../../db/index.ts";
import { configFromEnv } from "../../runtime/config.ts";
import { hashFolder } from "../../runtime/packages/integrity.ts";
import { DataLayout } from "../../runtime/layout.ts";
import { FolderSource, GitSource, type FetchedSource, type Source } from "../../runtime/sources/index.ts";
import { useFakeGitHub } from "../helpers/registries/fake_github.ts";
import { writeRepo } from "../helpers/registries/github_host.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { useTmp } from "../helpers/use_tmp.ts";

interface SourceCase {
  kind: "git" | "path";
  source: Source;
  /** What to pass to `fetch`. */
  location: string;
  /** Publishes a new version of the package's files. */
  change(): Promise<void>;
}

async function gitCase(t: TestContext): Promise<SourceCase> {
  const github = await useFakeGitHub(t);
  const repo = github.repo("acme/pkgs");
  repo.commit({ folder: await writeRepo(t, { clock: { name: "clock" } }, { "README.md": "hi" }) }, "main");
  const layout = new DataLayout(await useTmp(t));
  const source = new GitSource(layout, { baseUrl: github.url, retries: 0, retryDelayMs: 1, timeoutMs: 5_000, bounds: configFromEnv({}).archive });
  const change = async () => void repo.commit({ folder: await writeRepo(t, { clock: { name: "clock", manifest: { version: "1.1.0" } } }) }, "main");
  return { kind: "git", source, location: "https://github.com/acme/pkgs/tree/main/clock", change };
}

async function pathCase(t: TestContext): Promise<SourceCase> {
  const dir = await useTmp(t);
  const root = await writePackage(dir, "clock");
  const change = async () => void (await writePackage(dir, "clock", { manifest: { version: "1.1.0" } }));
  return { kind: "path", source: new FolderSource(), location: root, change };
}

async function recordOf(fetched: FetchedSource, folder: string): Promise<PackageRecord> {
  return { source: fetched.source, folder, integrity: await hashFolder(folder) } as PackageRecord;
}

for (const makeCase of [gitCase, pathCase]) {
  describe(`the ${makeCase === gitCase ? "git" : "path"} source`, () => {
    test("fetch gives the package's files and a source of its kind", async (t) => {
      const c = await makeCase(t);
      const fetched = await c.source.fetch(c.location);
      assert.equal(fetched.source.kind, c.kind);
      assert.deepEqual((await readdir(fetched.root)).sort(), ["deno.json", "mod.ts"]);
    });

    test("settle moves the files where the package runs from, and refresh of unchanged files gives nothing", async (t) => {
      const c = await makeCase(t);
      const fetched = await c.source.fetch(c.location);
      const folder = await fetched.settle("clock");
      assert.deepEqual((await readdir(folder)).sort(), ["deno.json", "mod.ts"]);
      assert.equal(await c.source.refresh(await recordOf(fetched, folder)), undefined);
    });

    test("refresh after a change gives the new files", async (t) => {
      const c = await makeCase(t);
      const fetched = await c.source.fetch(c.location);
      const record = await recordOf(fetched, await fetched.settle("clock"));
      await c.change();
      const fresh = await c.source.refresh(record);
      assert.ok(fresh, "a changed source is refreshed");
      assert.notEqual(await hashFolder(fresh.root), record.integrity);
    });

    test("discard removes what was fetched, but never a folder used in place", async (t) => {
      const c = await makeCase(t);
      const fetched = await c.source.fetch(c.location);
      const folder = await fetched.settle("clock");
      await fetched.discard();
      const exists = await access(folder).then(() => true, () => false);
      assert.equal(exists, c.kind === "path");
      if (c.kind === "git") assert.deepEqual(await readdir(path.dirname(folder)), []);
    });
  });
}

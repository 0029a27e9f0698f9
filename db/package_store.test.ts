// The package store's lookups that keep an add's cost flat as the host fills:
// by source, the dependency edges, and the revision that keys the cached graph.

import assert from "node:assert/strict";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { useTmp } from "../tests/helpers/use_tmp.ts";
import type { Manifest, PermissionSet } from "../common/package_types.ts";
import { Store, type PackageRecord } from "./index.ts";

function record(name: string, source: PackageRecord["source"], dependencies: Record<string, string> = {}): PackageRecord {
  return {
    name,
    version: "1.0.0",
    source,
    folder: source.kind === "path" ? source.path! : `/git/${name}`,
    state: "installed",
    desiredState: "stopped",
    error: null,
    manifest: { name, version: "1.0.0" } as unknown as Manifest,
    granted: {} as PermissionSet,
    env: {},
    config: {},
    integrity: "sha256-x",
    resolved: [],
    dependencies,
    installedAt: 1,
    updatedAt: 1,
  };
}

async function openStore(t: TestContext): Promise<Store> {
  const store = new Store(path.join(await useTmp(t), "isopod.db"), { logLinesPerPackage: 100 });
  t.after(() => store.close());
  return store;
}

test("a package is found by the folder or URL it was added from, and not once deleted", async (t) => {
  const store = await openStore(t);
  store.packages.insert(record("@a/one", { kind: "path", path: "/src/one" }));
  store.packages.insert(record("@a/two", { kind: "git", url: "https://github.com/a/two", ref: "main", commit: "c" }));
  assert.equal(store.packages.findBySource("path", "/src/one")?.name, "@a/one");
  assert.equal(store.packages.findBySource("git", "https://github.com/a/two")?.name, "@a/two");
  assert.equal(store.packages.findBySource("path", "https://github.com/a/two"), undefined);
  assert.equal(store.packages.findBySource("git", "/src/one"), undefined);
  store.packages.setState("@a/one", "deleted");
  assert.equal(store.packages.findBySource("path", "/src/one"), undefined);
});

test("the dependency edges list every package that is not deleted with the names it declares", async (t) => {
  const store = await openStore(t);
  store.packages.insert(record("@a/base", { kind: "path", path: "/src/base" }));
  store.packages.insert(record("@a/app", { kind: "path", path: "/src/app" }, { "@a/base": "^1.0.0", "@a/gone": "*" }));
  store.packages.insert(record("@a/gone", { kind: "path", path: "/src/gone" }));
  store.packages.setState("@a/gone", "deleted");
  assert.deepEqual(store.packages.dependencyEdges(), [
    ["@a/app", ["@a/base", "@a/gone"]],
    ["@a/base", []],
  ]);
  assert.deepEqual(store.packages.list().map((each) => [each.name, each.dependencies]), [
    ["@a/app", { "@a/base": "^1.0.0", "@a/gone": "*" }],
    ["@a/base", {}],
  ]);
});

test("the revision moves when packages or their dependencies change, and not on a change of state", async (t) => {
  const store = await openStore(t);
  const seen = [store.packages.revision];
  const moved = (): boolean => {
    const now = store.packages.revision;
    const changed = now !== seen.at(-1);
    seen.push(now);
    return changed;
  };
  store.packages.insert(record("@a/one", { kind: "path", path: "/src/one" }));
  assert.ok(moved(), "insert");
  store.packages.setState("@a/one", "running");
  store.packages.setDesiredState("@a/one", "running");
  assert.ok(!moved(), "state");
  store.packages.replace(record("@a/one", { kind: "path", path: "/src/one" }, { "@a/two": "*" }));
  assert.ok(moved(), "replace");
  store.packages.setState("@a/one", "deleted");
  assert.ok(moved(), "delete");
  store.packages.insert(record("@a/three", { kind: "path", path: "/src/three" }));
  store.packages.remove("@a/three");
  assert.ok(moved(), "remove");
});

test("list reads every package's resolved dependencies in one query, the same as get", async (t) => {
  const store = await openStore(t);
  const resolvedOf = (name: string) => [
    { name: `dep-of-${name}`, version: "1.2.3", integrity: "sha512-x", registry: "https://registry.npmjs.org/", entry: `npm/dep-of-${name}`, dependencies: {}, roots: [`npm:dep-of-${name}@^1`] },
    { name: "shared", version: "2.0.0", integrity: "sha512-y", registry: "https://registry.npmjs.org/", entry: "npm/shared", dependencies: { a: "a@1.0.0" }, roots: [] },
  ];
  const names = ["@a/one", "@a/two", "@a/three"];
  for (const name of names) store.packages.insert({ ...record(name, { kind: "path", path: `/src/${name}` }), resolved: resolvedOf(name) });
  store.packages.insert(record("@a/none", { kind: "path", path: "/src/none" }));
  const db = store.db as unknown as { prepare: (sql: string) => unknown };
  const prepare = db.prepare.bind(db);
  const queries: string[] = [];
  db.prepare = (sql: string) => (queries.push(sql), prepare(sql));
  const listed = store.packages.list();
  db.prepare = prepare;
  assert.equal(queries.filter((sql) => sql.includes("package_resolutions")).length, 1, queries.join("\n"));
  for (const each of listed) assert.deepEqual(each.resolved, store.packages.get(each.name)!.resolved, each.name);
  assert.deepEqual(listed.find((each) => each.name === "@a/two")!.resolved, resolvedOf("@a/two"));
  assert.deepEqual(listed.find((each) => each.name === "@a/none")!.resolved, []);
});

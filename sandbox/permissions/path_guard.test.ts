// PathGuard on its own, over real folders and real symbolic links: where a
// package path lies on the host, and which paths a grant reaches after links are resolved.

import assert from "node:assert/strict";
import { mkdir, realpath, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { useTmp } from "../../tests/helpers/use_tmp.ts";
import { HostOpError } from "../host/host_error.ts";
import { PathGuard } from "./path_guard.ts";
import type { PermissionRule } from "./permissions.ts";

interface Layout {
  /** The package root, its data folder (kept elsewhere, as the host does), and a folder outside both. */
  root: string;
  data: string;
  outside: string;
}

/** root/{mod.ts, lib/util.ts}, data/{notes.txt, secret/key}, outside/secret.txt; all real paths. */
async function useLayout(t: TestContext): Promise<Layout> {
  const tmp = await realpath(await useTmp(t, "isopod-paths-"));
  const layout = { root: path.join(tmp, "root"), data: path.join(tmp, "data"), outside: path.join(tmp, "outside") };
  await mkdir(path.join(layout.root, "lib"), { recursive: true });
  await mkdir(path.join(layout.data, "secret"), { recursive: true });
  await mkdir(layout.outside);
  await writeFile(path.join(layout.root, "mod.ts"), "export {};");
  await writeFile(path.join(layout.root, "lib", "util.ts"), "export {};");
  await writeFile(path.join(layout.data, "notes.txt"), "notes");
  await writeFile(path.join(layout.data, "secret", "key"), "key");
  await writeFile(path.join(layout.outside, "secret.txt"), "secret");
  return layout;
}

const ALL: PermissionRule = { allow: true, deny: [] };
const NONE: PermissionRule = { allow: [], deny: [] };

function guard(layout: Layout, read: PermissionRule, write: PermissionRule = NONE): PathGuard {
  return new PathGuard(layout.root, layout.data, { read, write });
}

function notCapable(access: string, packagePath: string) {
  return (error: unknown) => {
    assert.ok(error instanceof HostOpError, String(error));
    assert.equal(error.errorName, "NotCapable");
    assert.equal(error.message, `Requires ${access} access to "${packagePath}", run again with the --allow-${access} flag`);
    return true;
  };
}

test("hostPath maps ./data and what is below it to the data folder, and the rest to the package root", async (t) => {
  const layout = await useLayout(t);
  const g = guard(layout, ALL);
  assert.equal(g.hostPath("./data"), layout.data);
  assert.equal(g.hostPath("data/a/b.txt"), path.join(layout.data, "a", "b.txt"));
  assert.equal(g.hostPath("./mod.ts"), path.join(layout.root, "mod.ts"));
  assert.equal(g.hostPath("./database.txt"), path.join(layout.root, "database.txt"), "a name that starts with data is not the data folder");
  assert.equal(g.hostPath("./lib/../data/x"), path.join(layout.data, "x"));
  assert.equal(g.hostPath("../outside/secret.txt"), path.join(layout.outside, "secret.txt"), "hostPath maps; check refuses");
});

test("check gives the real host path of a readable file in the package or its data folder", async (t) => {
  const layout = await useLayout(t);
  const g = guard(layout, ALL);
  assert.equal(await g.check("read", "./mod.ts"), path.join(layout.root, "mod.ts"));
  assert.equal(await g.check("read", "./data/notes.txt"), path.join(layout.data, "notes.txt"));
});

test("check refuses a path outside the package and its data folder, even with all reads allowed", async (t) => {
  const layout = await useLayout(t);
  const g = guard(layout, ALL, ALL);
  await assert.rejects(g.check("read", "../outside/secret.txt"), notCapable("read", "../outside/secret.txt"));
  await assert.rejects(g.check("read", path.join(layout.outside, "secret.txt")), notCapable("read", path.join(layout.outside, "secret.txt")));
  await assert.rejects(g.check("read", "/etc/passwd"), notCapable("read", "/etc/passwd"));
});

test("check follows a link out of the package and refuses it", async (t) => {
  const layout = await useLayout(t);
  await symlink(path.join(layout.outside, "secret.txt"), path.join(layout.root, "escape.txt"));
  await symlink(layout.outside, path.join(layout.data, "outside-dir"));
  const g = guard(layout, ALL, ALL);
  await assert.rejects(g.check("read", "./escape.txt"), notCapable("read", "./escape.txt"));
  await assert.rejects(g.check("read", "./data/outside-dir/secret.txt"), notCapable("read", "./data/outside-dir/secret.txt"));
  await assert.rejects(g.check("write", "./data/outside-dir/new.txt"), notCapable("write", "./data/outside-dir/new.txt"), "a file that does not exist yet, below a link out");
});

test("check follows a link that stays inside and gives its target", async (t) => {
  const layout = await useLayout(t);
  await symlink("lib/util.ts", path.join(layout.root, "util-link.ts"));
  const g = guard(layout, ALL);
  assert.equal(await g.check("read", "./util-link.ts"), path.join(layout.root, "lib", "util.ts"));
});

test("check allows writes only in the data folder, even with all writes allowed", async (t) => {
  const layout = await useLayout(t);
  const g = guard(layout, ALL, ALL);
  await assert.rejects(g.check("write", "./mod.ts"), notCapable("write", "./mod.ts"));
  await assert.rejects(g.check("write", "./new.ts"), notCapable("write", "./new.ts"));
  assert.equal(await g.check("write", "./data/new.txt"), path.join(layout.data, "new.txt"));
  assert.equal(await g.check("write", "./data/a/b/c.txt"), path.join(layout.data, "a", "b", "c.txt"), "missing folders are kept as given");
});

test("check refuses a write through a link from the data folder into the package", async (t) => {
  const layout = await useLayout(t);
  await symlink(layout.root, path.join(layout.data, "code"));
  const g = guard(layout, ALL, ALL);
  assert.equal(await g.check("read", "./data/code/mod.ts"), path.join(layout.root, "mod.ts"));
  await assert.rejects(g.check("write", "./data/code/mod.ts"), notCapable("write", "./data/code/mod.ts"));
});

test("check allows only what a list grants, matching by real path", async (t) => {
  const layout = await useLayout(t);
  const g = guard(layout, { allow: ["./lib"], deny: [] });
  assert.equal(await g.check("read", "./lib/util.ts"), path.join(layout.root, "lib", "util.ts"));
  assert.equal(await g.check("read", "./mod.ts/../lib/util.ts"), path.join(layout.root, "lib", "util.ts"));
  await assert.rejects(g.check("read", "./mod.ts"), notCapable("read", "./mod.ts"));
  await assert.rejects(g.check("read", "./data/notes.txt"), notCapable("read", "./data/notes.txt"));
});

test("a deny entry wins over an allow, through a link to the denied path too", async (t) => {
  const layout = await useLayout(t);
  await symlink(path.join(layout.data, "secret"), path.join(layout.data, "innocent"));
  const g = guard(layout, { allow: true, deny: ["./data/secret"] });
  await assert.rejects(g.check("read", "./data/secret/key"), notCapable("read", "./data/secret/key"));
  await assert.rejects(g.check("read", "./data/innocent/key"), notCapable("read", "./data/innocent/key"));
  assert.deepEqual(await g.state("read", "./data/secret"), { state: "denied", partial: false });
  assert.equal(await g.check("read", "./data/notes.txt"), path.join(layout.data, "notes.txt"));
});

test("state is partial for a granted path with something denied below it", async (t) => {
  const layout = await useLayout(t);
  const g = guard(layout, { allow: true, deny: ["./data/secret"] });
  assert.deepEqual(await g.state("read", "./data"), { state: "granted", partial: true });
  assert.deepEqual(await g.state("read", "./lib"), { state: "granted", partial: false });
});

test("state of the whole permission is granted only for an allow of everything with no deny", async (t) => {
  const layout = await useLayout(t);
  assert.deepEqual(await guard(layout, ALL).state("read", undefined), { state: "granted", partial: false });
  assert.deepEqual(await guard(layout, { allow: true, deny: ["./x"] }).state("read", undefined), { state: "prompt", partial: false });
  assert.deepEqual(await guard(layout, { allow: ["./"], deny: [] }).state("read", undefined), { state: "prompt", partial: false });
  assert.deepEqual(await guard(layout, ALL).state("read", "../outside"), { state: "prompt", partial: false });
});

test("a package root given through a link is resolved once, and its files stay reachable", async (t) => {
  const layout = await useLayout(t);
  const linkedRoot = path.join(path.dirname(layout.root), "root-link");
  const linkedData = path.join(path.dirname(layout.root), "data-link");
  await symlink(layout.root, linkedRoot);
  await symlink(layout.data, linkedData);
  const g = new PathGuard(linkedRoot, linkedData, { read: ALL, write: ALL });
  assert.equal(await g.check("read", "./mod.ts"), path.join(layout.root, "mod.ts"));
  assert.equal(await g.check("write", "./data/new.txt"), path.join(layout.data, "new.txt"));
  await assert.rejects(g.check("write", "./mod.ts"), notCapable("write", "./mod.ts"));
});

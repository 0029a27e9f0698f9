// Permission sets on their own: Deno's forms in normal form, what "covers"
// means per permission, and the effective set (asked and granted; denials kept).

import assert from "node:assert/strict";
import { test } from "node:test";
import { asksForAnything, covers, effectivePermissions, emptyPermissionSet, permissionSetOf, type PermissionSet } from "./permissions.ts";

const set = (values: Parameters<typeof permissionSetOf>[0]): PermissionSet => permissionSetOf(values);

test("permissionSetOf normalizes true, false, a list and the allow/deny object", () => {
  assert.deepEqual(set({ net: true, env: false, read: ["./a"], write: { allow: true, deny: ["./data/x"] } }), {
    net: { allow: true, deny: [] },
    env: { allow: [], deny: [] },
    read: { allow: ["./a"], deny: [] },
    write: { allow: true, deny: ["./data/x"] },
  });
  assert.deepEqual(set({ read: { deny: ["./secret"] } }).read, { allow: [], deny: ["./secret"] }, "deny alone allows nothing");
  assert.deepEqual(set({ read: { allow: false } }).read, { allow: [], deny: [] });
});

test("permissionSetOf leaves out what it was not given, and copies the lists it was", () => {
  const list = ["./a"];
  const result = set({ read: list });
  list.push("./b");
  assert.deepEqual(result.read.allow, ["./a"]);
  assert.deepEqual(result.net, { allow: [], deny: [] });
});

test("emptyPermissionSet hands out new lists each time, so changing one set changes no other", () => {
  const a = emptyPermissionSet();
  (a.net.allow as string[]).push("example.com");
  a.read.deny.push("./x");
  assert.deepEqual(emptyPermissionSet(), { net: { allow: [], deny: [] }, env: { allow: [], deny: [] }, read: { allow: [], deny: [] }, write: { allow: [], deny: [] } });
  assert.deepEqual(permissionSetOf({}).net.allow, [], "nor a set made from it later");
});

test("asksForAnything is false for false, an empty list and a deny-only object", () => {
  assert.equal(asksForAnything(false), false);
  assert.equal(asksForAnything([]), false);
  assert.equal(asksForAnything({ deny: ["x"] }), false);
  assert.equal(asksForAnything({ allow: false }), false);
  assert.equal(asksForAnything(true), true);
  assert.equal(asksForAnything(["x"]), true);
  assert.equal(asksForAnything({ allow: true }), true);
  assert.equal(asksForAnything({ allow: ["x"] }), true);
});

test("covers: a host covers itself on any port, a host:port only itself", () => {
  assert.equal(covers("net", "example.com", "example.com"), true);
  assert.equal(covers("net", "example.com", "example.com:443"), true);
  assert.equal(covers("net", "example.com:443", "example.com"), false);
  assert.equal(covers("net", "example.com:443", "example.com:80"), false);
  assert.equal(covers("net", "example.com", "example.community"), false);
  assert.equal(covers("net", "example.com", "api.example.com"), false);
});

test("covers: a path covers the paths below it, with or without a trailing slash, and not its siblings", () => {
  assert.equal(covers("read", "./data", "./data/x.txt"), true);
  assert.equal(covers("read", "./data/", "./data/x.txt"), true);
  assert.equal(covers("write", "./data", "./data/a/b"), true);
  assert.equal(covers("read", "./data", "./database"), false);
  assert.equal(covers("read", "./data/x", "./data"), false);
});

test("covers: an env variable covers only itself", () => {
  assert.equal(covers("env", "HOME", "HOME"), true);
  assert.equal(covers("env", "HOME", "HOME_DIR"), false);
});

test("effectivePermissions grants what was both asked and granted, the narrower side winning", () => {
  const requested = set({ net: ["example.com"], read: ["./"], env: true, write: ["./data"] });
  const granted = set({ net: ["example.com:443", "other.com"], read: ["./data"], env: ["HOME"], write: true });
  assert.deepEqual(effectivePermissions(requested, granted), {
    net: { allow: ["example.com:443"], deny: [] },
    read: { allow: ["./data"], deny: [] },
    env: { allow: ["HOME"], deny: [] },
    write: { allow: ["./data"], deny: [] },
  });
});

test("effectivePermissions grants everything only when both sides allow everything", () => {
  assert.equal(effectivePermissions(set({ net: true }), set({ net: true })).net.allow, true);
  assert.deepEqual(effectivePermissions(set({ net: true }), set({})).net.allow, []);
  assert.deepEqual(effectivePermissions(set({}), set({ net: true })).net.allow, [], "a grant gives nothing that was not asked");
});

test("effectivePermissions keeps every denial from either side, once", () => {
  const requested = set({ read: { allow: true, deny: ["./a", "./b"] } });
  const granted = set({ read: { allow: true, deny: ["./b", "./c"] } });
  assert.deepEqual(effectivePermissions(requested, granted).read, { allow: true, deny: ["./a", "./b", "./c"] });
});

test("effectivePermissions does not share lists with its inputs", () => {
  const requested = set({ env: ["HOME"] });
  const granted = set({ env: true });
  const result = effectivePermissions(requested, granted);
  (result.env.allow as string[]).push("PATH");
  assert.deepEqual(requested.env.allow, ["HOME"]);
});

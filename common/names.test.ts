// Package and resource names on their own: what docs/reference/package_format.md allows, the
// length bounds, and the folder a package name maps to.

import assert from "node:assert/strict";
import { test } from "node:test";
import { folderNameOf, isPackageName, isResourceName } from "./names.ts";

test("isPackageName accepts plain and scoped names of lowercase letters, digits, dots, underscores and dashes", () => {
  for (const name of ["clock", "@acme/clock", "a", "0day", "@0/x", "a.b_c-d", "@a.b_c-d/e.f_g-h"]) {
    assert.equal(isPackageName(name), true, name);
  }
});

test("isPackageName refuses uppercase, a leading punctuation mark, a bare or unscoped slash, and other characters", () => {
  const refused = [
    "", "Clock", "@Acme/clock", ".clock", "_clock", "-clock", "@acme", "@acme/", "@/clock", "acme/clock",
    "@acme/clock/x", "@@acme/clock", "a+b", "a b", "a\nb", "clock\n", "ä", "@acme/.clock",
  ];
  for (const name of refused) assert.equal(isPackageName(name), false, JSON.stringify(name));
});

test("isPackageName allows at most 214 characters, scope included", () => {
  assert.equal(isPackageName("a".repeat(214)), true);
  assert.equal(isPackageName("a".repeat(215)), false);
  const scoped = `@acme/${"a".repeat(208)}`;
  assert.equal(scoped.length, 214);
  assert.equal(isPackageName(scoped), true);
  assert.equal(isPackageName(`${scoped}a`), false);
});

test("isResourceName accepts 1 to 128 letters of either case, digits, dots, underscores and dashes", () => {
  assert.equal(isResourceName("Counter_1.v-2"), true);
  assert.equal(isResourceName("x"), true);
  assert.equal(isResourceName("a".repeat(128)), true);
  assert.equal(isResourceName("a".repeat(129)), false);
  assert.equal(isResourceName(""), false);
  for (const name of ["a/b", "a b", "a:b", "a\n", "ü"]) assert.equal(isResourceName(name), false, JSON.stringify(name));
});

test("folderNameOf turns a scope's slash into a plus and leaves a plain name alone", () => {
  assert.equal(folderNameOf("@acme/clock"), "@acme+clock");
  assert.equal(folderNameOf("clock"), "clock");
});

test("folderNameOf gives different valid names different folders, none with a slash", () => {
  const names = ["@a/b", "a", "b", "@a/a", "@b/a", "a.b", "@a.b/c", "@a/b.c"];
  const folders = names.map(folderNameOf);
  assert.equal(new Set(folders).size, names.length);
  for (const folder of folders) assert.ok(!folder.includes("/"), folder);
});

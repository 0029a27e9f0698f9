// Refusals as Deno remembers them: paths deny their folders, not siblings;
// host:port and env names only themselves; memory bounded per permission.

import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_REFUSED_TARGETS, Refusals } from "./refusals.ts";

test("a refused path makes it and the folders above it denied, not its siblings", () => {
  const refusals = new Refusals();
  assert.equal(refusals.denies("read", undefined), false);
  refusals.record("read", "/pkg/other/x.txt");
  assert.equal(refusals.denies("read", undefined), true);
  assert.equal(refusals.denies("read", "/pkg/other/x.txt"), true);
  assert.equal(refusals.denies("read", "/pkg"), true);
  assert.equal(refusals.denies("read", "/pkg/other/y.txt"), false);
  assert.equal(refusals.denies("write", "/pkg/other/x.txt"), false);
});

test("a refused host:port or env name denies only itself", () => {
  const refusals = new Refusals();
  refusals.record("net", "other.com:80");
  refusals.record("env", "B");
  assert.equal(refusals.denies("net", "other.com:80"), true);
  assert.equal(refusals.denies("net", "other.com"), false);
  assert.equal(refusals.denies("env", "B"), true);
  assert.equal(refusals.denies("env", "C"), false);
});

test("past MAX_REFUSED_TARGETS refusals every target of that permission counts as refused", () => {
  const refusals = new Refusals();
  for (let i = 0; i <= MAX_REFUSED_TARGETS; i++) refusals.record("env", `V${i}`);
  assert.equal(refusals.denies("env", "never-asked"), true);
  assert.equal(refusals.denies("net", "a.com:80"), false);
});

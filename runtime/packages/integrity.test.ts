// hashFolder on its own, over real folders: what changes the hash, what does
// not, links hashed by their target text, and the bounds on files and bytes.

import assert from "node:assert/strict";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { useTmp } from "../../tests/helpers/use_tmp.ts";
import { IsopodError } from "../errors.ts";
import { hashFolder } from "./integrity.ts";

/** A fresh folder holding `files` (relative path to content). */
async function folderWith(t: TestContext, files: Record<string, string>): Promise<string> {
  const root = await useTmp(t, "isopod-integrity-");
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), content);
  }
  return root;
}

const BASE = { "deno.json": "{}", "mod.ts": "export {};", "lib/util.ts": "export const x = 1;" };

test("hashFolder gives sha256-<hex>, the same for the same files in another folder", async (t) => {
  const a = await hashFolder(await folderWith(t, BASE));
  const b = await hashFolder(await folderWith(t, BASE));
  assert.match(a, /^sha256-[0-9a-f]{64}$/);
  assert.equal(a, b);
});

test("hashFolder changes with a file's content, its name, its folder, an added file or an empty one", async (t) => {
  const base = await hashFolder(await folderWith(t, BASE));
  const variants: Array<Record<string, string>> = [
    { ...BASE, "mod.ts": "export {}; " },
    { "deno.json": "{}", "main.ts": "export {};", "lib/util.ts": "export const x = 1;" },
    { "deno.json": "{}", "mod.ts": "export {};", "src/util.ts": "export const x = 1;" },
    { ...BASE, "extra.ts": "" },
  ];
  const hashes = await Promise.all(variants.map(async (files) => hashFolder(await folderWith(t, files))));
  for (const hash of hashes) assert.notEqual(hash, base);
  assert.equal(new Set(hashes).size, hashes.length);
});

test("hashFolder does not let content shift between a name and the next file", async (t) => {
  const a = await hashFolder(await folderWith(t, { a: "bc", d: "" }));
  const b = await hashFolder(await folderWith(t, { a: "b", cd: "" }));
  assert.notEqual(a, b);
});

test("hashFolder skips .git, node_modules and data at the top, and only there", async (t) => {
  const base = await hashFolder(await folderWith(t, BASE));
  const skipped = await folderWith(t, { ...BASE, ".git/HEAD": "ref", "node_modules/x/index.js": "x", "data/db.sqlite": "rows" });
  assert.equal(await hashFolder(skipped), base);
  const nested = await folderWith(t, { ...BASE, "lib/data/table.ts": "x" });
  assert.notEqual(await hashFolder(nested), base);
});

test("hashFolder hashes a link by its target text and never follows it", async (t) => {
  const outside = await folderWith(t, { "target.txt": "one" });
  const root = await folderWith(t, BASE);
  await symlink(path.join(outside, "target.txt"), path.join(root, "link"));
  const before = await hashFolder(root);
  await writeFile(path.join(outside, "target.txt"), "two, longer");
  assert.equal(await hashFolder(root), before, "the target's content is not part of the hash");

  const other = await folderWith(t, BASE);
  await symlink(path.join(outside, "elsewhere.txt"), path.join(other, "link"));
  assert.notEqual(await hashFolder(other), before, "the target's path is");

  const copied = await folderWith(t, { ...BASE, link: "one" });
  assert.notEqual(await hashFolder(copied), before, "a link and a file with its target's content differ");
});

test("hashFolder refuses a folder with more files than the bound, as an invalid package", async (t) => {
  const root = await folderWith(t, BASE);
  assert.match(await hashFolder(root, { maxFiles: 3, maxBytes: 1_000 }), /^sha256-/);
  await assert.rejects(
    hashFolder(root, { maxFiles: 2, maxBytes: 1_000 }),
    (error: unknown) => error instanceof IsopodError && error.code === "invalid_package" && error.message === `package at ${root} has more than 2 files`,
  );
});

test("hashFolder refuses a folder larger than the byte bound, counting file contents only", async (t) => {
  const root = await folderWith(t, { a: "x".repeat(60), b: "y".repeat(40) });
  assert.match(await hashFolder(root, { maxFiles: 10, maxBytes: 100 }), /^sha256-/);
  await assert.rejects(
    hashFolder(root, { maxFiles: 10, maxBytes: 99 }),
    (error: unknown) => error instanceof IsopodError && error.code === "invalid_package" && error.message === `package at ${root} is larger than 99 bytes`,
  );
});

test("hashFolder of an empty folder is the hash of nothing", async (t) => {
  assert.equal(await hashFolder(await folderWith(t, {})), "sha256-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
});

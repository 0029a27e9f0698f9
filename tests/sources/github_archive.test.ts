// Hostile archives: every rule of extraction, each broken by one archive that
// the fake GitHub serves. The whole add fails with 422 invalid_archive and nothing is left behind.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { describe, test } from "node:test";
import { configFromEnv, type ArchiveBounds } from "../../runtime/config.ts";
import { assertApiError } from "../helpers/assertions.ts";
import { assertNothingLeft, useGitHubHost } from "../helpers/registries/github_host.ts";
import type { Tree } from "../helpers/registries/fake_github.ts";
import type { TarEntry } from "../helpers/registries/tar_writer.ts";

const DEFAULT_BOUNDS: ArchiveBounds = configFromEnv({}).archive;
const MANIFEST = JSON.stringify({ name: "pkg", version: "1.0.0", exports: "./mod.ts" });

/** A valid package in `pkg/`, plus `extra` entries. */
function withPackage(...extra: TarEntry[]): Tree {
  return {
    entries: [
      { path: "pkg/", type: "Directory" },
      { path: "pkg/deno.json", body: MANIFEST },
      { path: "pkg/mod.ts", body: "export default {};\n" },
      ...extra,
    ],
  };
}

const deep = (depth: number) => Array.from({ length: depth }, (_, i) => `d${i}`).join("/");

const cases: { rule: string; tree: Tree; bounds?: Partial<ArchiveBounds>; message: RegExp }[] = [
  { rule: "an absolute path", tree: withPackage({ path: "/etc/evil", exact: true, body: "x" }), message: /"\/etc\/evil" has an absolute path/ },
  { rule: "a path with ..", tree: withPackage({ path: "pkg/../../evil", body: "x" }), message: /climbs out with "\.\."/ },
  { rule: "an entry outside the top folder", tree: withPackage({ path: "elsewhere/pkg/x.ts", exact: true, body: "x" }), message: /"elsewhere\/pkg\/x\.ts" is outside the archive's top folder/ },
  { rule: "a symbolic link", tree: withPackage({ path: "pkg/passwd", type: "SymbolicLink", linkpath: "/etc/passwd" }), message: /"passwd" is a symbolic link/ },
  { rule: "a hard link", tree: withPackage({ path: "pkg/passwd", type: "Link", linkpath: "/etc/passwd" }), message: /"passwd" is a hard link/ },
  { rule: "a character device", tree: withPackage({ path: "pkg/tty", type: "CharacterDevice" }), message: /"tty" is a character device/ },
  { rule: "a block device", tree: withPackage({ path: "pkg/sda", type: "BlockDevice" }), message: /"sda" is a block device/ },
  { rule: "a FIFO", tree: withPackage({ path: "pkg/pipe", type: "FIFO" }), message: /"pipe" is a FIFO/ },
  {
    rule: "too many files",
    tree: withPackage(...Array.from({ length: 10 }, (_, i) => ({ path: `pkg/f${i}.ts`, body: "" }))),
    bounds: { maxFiles: 8 },
    message: /more than 8 files and folders/,
  },
  { rule: "too many bytes", tree: withPackage({ path: "pkg/big.bin", body: Buffer.alloc(4_000) }), bounds: { maxPackageBytes: 3_000 }, message: /larger than 3000 bytes/ },
  { rule: "too deep", tree: withPackage({ path: `pkg/${deep(33)}/x.ts`, body: "" }), message: /34 folders deep, more than 32/ },
  { rule: "a name too long", tree: withPackage({ path: `pkg/${"n".repeat(256)}.ts`, body: "" }), message: /a name of 259 bytes, more than 255/ },
  {
    rule: "a path too long",
    tree: withPackage({ path: `pkg/${Array.from({ length: 6 }, () => "p".repeat(200)).join("/")}`, body: "" }),
    message: /a path of 1205 bytes, more than 1024/,
  },
  { rule: "the same file twice", tree: withPackage({ path: "pkg/mod.ts", body: "export default { evil: 1 };\n" }), message: /"mod\.ts" appears twice/ },
  {
    rule: "a download over the bound",
    tree: withPackage({ path: "other/noise.bin", body: randomBytes(64 * 1024) }),
    bounds: { maxDownloadBytes: 16 * 1024 },
    message: /archive is more than 16384 bytes/,
  },
  {
    rule: "an archive that expands too much (outside the package folder too)",
    tree: withPackage({ path: "other/zeros.bin", body: Buffer.alloc(2 * 1024 * 1024) }),
    bounds: { maxExpandedBytes: 1024 * 1024 },
    message: /expands to more than 1048576 bytes/,
  },
  { rule: "a body that is not gzip", tree: { raw: Buffer.from("this is not an archive at all, just some text ".repeat(20)) }, message: /not valid gzip/ },
  { rule: "an unsupported entry type", tree: withPackage({ path: "pkg/sparse", type: "SparseFile" }), message: /"sparse" is of unsupported type "SparseFile"/ },
];

describe("extracting a GitHub archive refuses hostile entries", () => {
  for (const c of cases) {
    test(`an archive with ${c.rule}: 422 invalid_archive, nothing left behind`, async (t) => {
      const h = await useGitHubHost(t, c.bounds && { archive: { ...DEFAULT_BOUNDS, ...c.bounds } });
      h.github.repo("evil/repo").commit(c.tree, "main");
      const answer = await h.json("POST", "/v1/packages", { body: { git_url: "https://github.com/evil/repo/tree/main/pkg" } });
      assertApiError(answer, 422, "invalid_archive", c.message);
      await assertNothingLeft(h);
    });
  }

  test("links and odd entries outside the package folder are skipped, not refused", async (t) => {
    const h = await useGitHubHost(t);
    h.github.repo("acme/repo").commit(
      withPackage(
        { path: "docs/link", type: "SymbolicLink", linkpath: "/etc/passwd" },
        { path: "docs/hard", type: "Link", linkpath: "docs/link" },
        { path: "docs/pipe", type: "FIFO" },
      ),
      "main",
    );
    const added = await h.json("POST", "/v1/packages", { body: { git_url: "https://github.com/acme/repo/tree/main/pkg" } });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual((await readdir(h.host.store.packages.get("pkg")!.folder)).sort(), ["deno.json", "mod.ts"]);
  });

  test("long names within the bounds arrive intact through pax headers", async (t) => {
    const h = await useGitHubHost(t);
    const name = `${"n".repeat(200)}.ts`;
    h.github.repo("acme/repo").commit(withPackage({ path: `pkg/${deep(20)}/${name}`, body: "export const n = 1;\n" }), "main");
    const added = await h.json("POST", "/v1/packages", { body: { git_url: "https://github.com/acme/repo/tree/main/pkg" } });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    const files = await readdir(h.host.store.packages.get("pkg")!.folder, { recursive: true });
    assert.ok(files.includes(`${deep(20)}/${name}`), files.join("\n"));
  });
});


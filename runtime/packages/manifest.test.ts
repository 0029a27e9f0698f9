// The manifest reader on its own, against real files: which file it reads,
// the defaults it fills in, and errors that name the file and the field.

import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { useTmp } from "../../tests/helpers/use_tmp.ts";
import { IsopodError } from "../errors.ts";
import { emptyPermissionSet } from "../../sandbox/permissions/permissions.ts";
import { parseGrant, readManifest, validateManifest } from "./manifest.ts";

const MINIMAL = { name: "@acme/clock", version: "1.2.0", exports: "./mod.ts" };

/** A package folder holding `files` (name to text, or to an object written as JSON). */
async function packageWith(t: TestContext, files: Record<string, string | object>): Promise<string> {
  const root = await useTmp(t, "isopod-manifest-");
  for (const [name, content] of Object.entries(files)) {
    await writeFile(path.join(root, name), typeof content === "string" ? content : JSON.stringify(content));
  }
  return root;
}

/** Asserts an invalid_package error whose message matches `message`. */
function invalidPackage(message: RegExp, details?: Record<string, unknown>) {
  return (error: unknown) => {
    assert.ok(error instanceof IsopodError, String(error));
    assert.equal(error.code, "invalid_package");
    assert.match(error.message, message);
    if (details) assert.deepEqual(error.details, details);
    return true;
  };
}

test("readManifest fills in what a minimal deno.json leaves out", async (t) => {
  const root = await packageWith(t, { "deno.json": MINIMAL });
  assert.deepEqual(await readManifest(root), {
    name: "@acme/clock",
    version: "1.2.0",
    entry: "./mod.ts",
    requested: emptyPermissionSet(),
    dependencies: {},
    limits: {},
    restart: {},
    autostart: false,
    file: "deno.json",
  });
});

test("readManifest reads deno.jsonc, with comments and trailing commas, when there is no deno.json", async (t) => {
  const text = `{\n  // the clock\n  "name": "clock", /* a */ "version": "0.1.0",\n  "exports": { ".": "./main.ts", "./extra": "./x.ts", },\n}\n`;
  const root = await packageWith(t, { "deno.jsonc": text });
  const manifest = await readManifest(root);
  assert.equal(manifest.name, "clock");
  assert.equal(manifest.entry, "./main.ts", "the entry is the \".\" export");
  assert.equal(manifest.file, "deno.jsonc");
});

test("readManifest prefers deno.json when both files are there", async (t) => {
  const root = await packageWith(t, { "deno.json": MINIMAL, "deno.jsonc": { ...MINIMAL, name: "other" } });
  const manifest = await readManifest(root);
  assert.equal(manifest.name, "@acme/clock");
  assert.equal(manifest.file, "deno.json");
});

test("readManifest refuses a folder without a manifest, naming the folder", async (t) => {
  const root = await packageWith(t, { "package.json": MINIMAL });
  await assert.rejects(readManifest(root), invalidPackage(new RegExp(`^no deno\\.json or deno\\.jsonc in ${root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`)));
});

test("readManifest says where a manifest stops being JSON, by line and column", async (t) => {
  const root = await packageWith(t, { "deno.json": `{\n  "name": "clock",\n  "version" "1.0.0"\n}` });
  await assert.rejects(readManifest(root), invalidPackage(/deno\.json: not valid JSON \(ColonExpected at line 3, column 13\)$/));
});

test("readManifest refuses JSON that is not an object", async (t) => {
  for (const text of ["[]", "null", "42", '"clock"']) {
    const root = await packageWith(t, { "deno.json": text });
    await assert.rejects(readManifest(root), invalidPackage(/deno\.json: must be a JSON object$/), text);
  }
});

test("readManifest reports a manifest it cannot read, rather than looking for the next one", async (t) => {
  const root = await packageWith(t, { "deno.jsonc": MINIMAL });
  await mkdir(path.join(root, "deno.json"));
  await assert.rejects(readManifest(root), invalidPackage(/^cannot read package manifest .*deno\.json: /));
});

test("validateManifest names every missing or invalid field in one message", () => {
  assert.throws(
    () => validateManifest({ exports: "" }, "/pkgs/x/deno.json"),
    invalidPackage(/^invalid package manifest \/pkgs\/x\/deno\.json: "name" is required; "version" is required; "exports" /),
  );
  assert.throws(() => validateManifest({ ...MINIMAL, name: "Clock" }, "deno.json"), invalidPackage(/"name" must match @scope\/name or name/));
  assert.throws(() => validateManifest({ ...MINIMAL, version: "1.2" }, "deno.json"), invalidPackage(/"version" must be a semver version such as 1\.2\.0/));
  assert.throws(() => validateManifest({ ...MINIMAL, exports: { "./x": "./x.ts" } }, "deno.json"), invalidPackage(/"exports" is required: a path such as/));
});

test("validateManifest reads dependencies as a range, or a range with a source", () => {
  const manifest = validateManifest(
    { ...MINIMAL, isopod: { dependencies: { base: "^1.0.0", "@acme/db": { version: "~2.1", source: "https://github.com/acme/db" } } } },
    "deno.json",
  );
  assert.deepEqual(manifest.dependencies, {
    base: { range: "^1.0.0" },
    "@acme/db": { range: "~2.1", source: "https://github.com/acme/db" },
  });
});

test("validateManifest refuses a dependency with a bad range, an empty source or an invalid name", () => {
  assert.throws(() => validateManifest({ ...MINIMAL, isopod: { dependencies: { base: "not a range" } } }, "deno.json"), invalidPackage(/"isopod\.dependencies\.base" must be a semver range/));
  assert.throws(
    () => validateManifest({ ...MINIMAL, isopod: { dependencies: { base: { version: "1", source: "" } } } }, "deno.json"),
    invalidPackage(/"isopod\.dependencies\.base/),
  );
  assert.throws(() => validateManifest({ ...MINIMAL, isopod: { dependencies: { Base: "1" } } }, "deno.json"), invalidPackage(/dependency "Base" is not a valid package name$/));
});

test("validateManifest normalizes the requested permissions in each of Deno's forms", () => {
  const manifest = validateManifest(
    { ...MINIMAL, permissions: { default: { net: true, env: ["HOME"], read: { allow: ["./"], deny: ["./secret"] }, write: false } } },
    "deno.json",
  );
  assert.deepEqual(manifest.requested, {
    net: { allow: true, deny: [] },
    env: { allow: ["HOME"], deny: [] },
    read: { allow: ["./"], deny: ["./secret"] },
    write: { allow: [], deny: [] },
  });
});

test("validateManifest accepts a never-granted permission that asks for nothing, and refuses one that asks", () => {
  assert.doesNotThrow(() => validateManifest({ ...MINIMAL, permissions: { default: { run: false, ffi: [] } } }, "deno.json"));
  assert.throws(
    () => validateManifest({ ...MINIMAL, permissions: { default: { run: ["ls"] } } }, "deno.json"),
    invalidPackage(/permission "run" can never be granted inside an isolate$/, { permission: "run" }),
  );
  assert.throws(
    () => validateManifest({ ...MINIMAL, permissions: { default: { telepathy: true } } }, "deno.json"),
    invalidPackage(/unknown permission "telepathy"$/, { permission: "telepathy" }),
  );
});

test("validateManifest keeps limits, restart and autostart as asked, and refuses unknown fields in them", () => {
  const manifest = validateManifest(
    { ...MINIMAL, isopod: { limits: { memoryMb: 64 }, restart: { maxRestarts: 0 }, autostart: true } },
    "deno.json",
  );
  assert.deepEqual(manifest.limits, { memoryMb: 64 });
  assert.deepEqual(manifest.restart, { maxRestarts: 0 });
  assert.equal(manifest.autostart, true);
  assert.throws(() => validateManifest({ ...MINIMAL, isopod: { limits: { memoryMB: 64 } } }, "deno.json"), invalidPackage(/"isopod\.limits"/));
  assert.throws(() => validateManifest({ ...MINIMAL, isopod: { limits: { cpuMs: 0 } } }, "deno.json"), invalidPackage(/"isopod\.limits\.cpuMs"/));
});

test("parseGrant gives nothing for no grant and exactly the request for \"requested\"", () => {
  const requested = validateManifest({ ...MINIMAL, permissions: { default: { net: ["example.com"] } } }, "deno.json").requested;
  assert.deepEqual(parseGrant(undefined, requested), emptyPermissionSet());
  assert.deepEqual(parseGrant(null, requested), emptyPermissionSet());
  assert.equal(parseGrant("requested", requested), requested);
  assert.deepEqual(parseGrant({ read: ["./data"] }, requested), { ...emptyPermissionSet(), read: { allow: ["./data"], deny: [] } });
});

test("parseGrant refuses a malformed grant and any permission outside net, env, read and write, as bad requests", () => {
  const badRequest = (message: RegExp) => (error: unknown) =>
    error instanceof IsopodError && error.code === "bad_request" && message.test(error.message);
  assert.throws(() => parseGrant({ net: 5 }, emptyPermissionSet()), badRequest(/^invalid grant: "net" /));
  assert.throws(() => parseGrant("everything", emptyPermissionSet()), badRequest(/^invalid grant: /));
  assert.throws(() => parseGrant({ run: false }, emptyPermissionSet()), badRequest(/^invalid grant: permission "run" can never be granted/));
});

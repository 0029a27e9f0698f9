// Hostile JSR registries: a file that does not match its checksum, manifest
// paths that climb out, huge file lists, unknown names, rate limits, silence; nothing is left behind.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { test, type TestContext } from "node:test";
import type { DependencyBounds } from "../../runtime/packages/index.ts";
import { useFakeJsr, type FakeJsr } from "../helpers/registries/fake_jsr.ts";
import { useFakeNpm } from "../helpers/registries/fake_npm.ts";
import { useNpmHost } from "../helpers/registries/npm_host.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import type { TestHost } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";

const app = (imports: string) => ({
  manifest: { name: "@me/app" },
  files: { "mod.ts": `${imports}\nexport default { fetch: () => new Response("ok") };\n` },
});

const listing = async (dir: string) => (existsSync(dir) ? await readdir(dir) : []);

async function refused(t: TestContext, jsr: FakeJsr, imports: string, bounds: Partial<DependencyBounds> = {}): Promise<{ status: number; body: any; host: TestHost }> {
  const host = await useNpmHost(t, await useFakeNpm(t), bounds, jsr);
  const root = await writePackage(await useTmp(t), "app", app(imports));
  const answer = await host.json("POST", "/v1/packages", { body: { path: root } });
  assert.notEqual(answer.status, 200, JSON.stringify(answer.body));
  assert.equal((await host.json("GET", "/v1/packages/@me/app")).status, 404, "nothing half-installed");
  assert.deepEqual(await listing(path.join(host.dataDir, "cache", ".staging")), [], "no staging folder left");
  assert.deepEqual(await listing(path.join(host.dataDir, "cache", "jsr")), [], "no cache entry left");
  return { ...answer, host };
}

test("a JSR file that does not match its checksum is refused naming package, version and file", async (t) => {
  const jsr = await useFakeJsr(t);
  jsr.publish("@evil/pkg", "1.0.0", { files: { "mod.ts": "export const x = 1;\n", "util.ts": "export const y = 2;\n" }, served: { "util.ts": "export const y = 3;\n" } });
  const { status, body } = await refused(t, jsr, 'import "jsr:@evil/pkg@1";');
  assert.equal(status, 422);
  assert.match(body.error.message, /jsr:@evil\/pkg@1\.0\.0: file "\/util\.ts" does not match its checksum sha256-[0-9a-f]{64}/);
});

test("a JSR file longer than its manifest says is refused without reading it all", async (t) => {
  const jsr = await useFakeJsr(t);
  jsr.publish("@evil/long", "1.0.0", { files: { "mod.ts": "export {};\n" }, served: { "mod.ts": `export {};\n${" ".repeat(1_000_000)}` } });
  const { status, body } = await refused(t, jsr, 'import "jsr:@evil/long@1";');
  assert.equal(status, 422);
  assert.match(body.error.message, /jsr:@evil\/long@1\.0\.0: file "\/mod\.ts" does not match its checksum/);
});

for (const [title, file] of [["with ..", "/../../escaped.ts"], ["not below the package root", "etc/passwd.ts"], ["with an empty segment", "//etc/passwd.ts"], ["with a backslash", "/..\\..\\x.ts"]]) {
  test(`a _meta.json manifest path ${title} is refused before any file is fetched`, async (t) => {
    const jsr = await useFakeJsr(t);
    jsr.publish("@evil/path", "1.0.0", { files: { "mod.ts": "export {};\n" }, manifest: { "/mod.ts": { size: 11, checksum: `sha256-${"0".repeat(64)}` }, [file!]: { size: 1, checksum: `sha256-${"0".repeat(64)}` } } });
    const { status, body, host } = await refused(t, jsr, 'import "jsr:@evil/path@1";');
    assert.equal(status, 422);
    assert.match(body.error.message, /jsr:@evil\/path@1\.0\.0: _meta\.json lists the file .*, which is not a path inside the package/);
    assert.equal(jsr.count(/GET \/@evil\/path\/1\.0\.0\//), 0);
    assert.equal(existsSync(path.join(host.dataDir, "escaped.ts")), false);
  });
}

test("exports pointing outside a JSR package are refused", async (t) => {
  const jsr = await useFakeJsr(t);
  jsr.publish("@evil/exports", "1.0.0", { files: { "mod.ts": "export {};\n" }, exports: { ".": "../../../etc/passwd" } });
  const { status, body } = await refused(t, jsr, 'import "jsr:@evil/exports@1";');
  assert.equal(status, 422);
  assert.match(body.error.message, /jsr:@evil\/exports@1\.0\.0: _meta\.json exports "\." to "\.\.\/\.\.\/\.\.\/etc\/passwd", not a path inside the package/);
});

test("a JSR package listing 20,000 files, or one file of a gigabyte, is refused before fetching", async (t) => {
  const jsr = await useFakeJsr(t);
  const checksum = `sha256-${"a".repeat(64)}`;
  jsr.publish("@evil/wide", "1.0.0", { files: {}, manifest: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`/f${i}.ts`, { size: 10, checksum }])) });
  jsr.publish("@evil/huge", "1.0.0", { files: {}, manifest: { "/mod.ts": { size: 1024 ** 3, checksum } } });
  const wide = await refused(t, jsr, 'import "jsr:@evil/wide@1";');
  assert.equal(wide.status, 422);
  assert.match(wide.body.error.message, /jsr:@evil\/wide@1\.0\.0: _meta\.json lists 20000 files, more than 10000 \(ISOPOD_ARCHIVE_MAX_FILES\)/);
  const huge = await refused(t, jsr, 'import "jsr:@evil/huge@1";');
  assert.match(huge.body.error.message, /jsr:@evil\/huge@1\.0\.0: file "\/mod\.ts" is 1073741824 bytes, more than 10485760 \(ISOPOD_DEPS_MAX_FILE_BYTES\)/);
  jsr.publish("@evil/big", "1.0.0", { files: {}, manifest: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`/f${i}.ts`, { size: 2_000, checksum }])) });
  const big = await refused(t, jsr, 'import "jsr:@evil/big@1";', { maxBytes: 100_000 });
  assert.match(big.body.error.message, /jsr:@evil\/big@1\.0\.0: its files are 200000 bytes, past the 100000 the dependencies may take \(ISOPOD_DEPS_MAX_BYTES\)/);
  assert.equal(jsr.count(/GET \/@evil\/(wide|huge|big)\/1\.0\.0\//), 0);
});

test("an unknown JSR package and a range no version matches are 422s naming specifier and registry; yanked versions are skipped", async (t) => {
  const jsr = await useFakeJsr(t);
  jsr.publish("@acme/old", "1.0.0", { files: { "mod.ts": "export {};\n" } });
  jsr.publish("@acme/old", "1.1.0", { files: { "mod.ts": "export {};\n" }, yanked: true });
  const unknown = await refused(t, jsr, 'import "jsr:@acme/nope@1";');
  assert.equal(unknown.status, 422);
  assert.match(unknown.body.error.message, new RegExp(`@me/app -> jsr:@acme/nope@1: package "jsr:@acme/nope" is not in the JSR registry ${jsr.url}/`));
  const range = await refused(t, jsr, 'import "jsr:@acme/old@~1.1";');
  assert.match(range.body.error.message, new RegExp(`no version of "jsr:@acme/old" matches "~1.1" in the JSR registry ${jsr.url}/`));
  const bad = await refused(t, jsr, 'import "jsr:@Acme/../x@1";');
  assert.equal(bad.status, 422);
});

test("a rate-limited JSR registry is a 503 with Retry-After, an unreachable one a 502", async (t) => {
  const jsr = await useFakeJsr(t);
  jsr.rateLimitRetryAfter = 17;
  const limited = await refused(t, jsr, 'import "jsr:@acme/any@1";');
  assert.equal(limited.status, 503);
  assert.equal(limited.body.error.code, "rate_limited");
  const again = await limited.host.request("POST", "/v1/packages", { body: { path: await writePackage(await useTmp(t), "again", app('import "jsr:@acme/any@1";')) } });
  assert.equal(again.headers.get("retry-after"), "17");
  await jsr.close();
  const down = await refused(t, jsr, 'import "jsr:@acme/any@1";');
  assert.equal(down.status, 502);
  assert.match(down.body.error.message, new RegExp(`cannot reach the JSR registry ${jsr.url}/`));
});

test("a JSR registry that never answers times out and leaves nothing behind", async (t) => {
  const jsr = await useFakeJsr(t);
  jsr.stall = true;
  const started = Date.now();
  const slow = await refused(t, jsr, 'import "jsr:@acme/any@1";', { requestTimeoutMs: 500 });
  assert.equal(slow.status, 502);
  const deadline = await refused(t, jsr, 'import "jsr:@acme/any@1";', { timeoutMs: 300, requestTimeoutMs: 5_000 });
  assert.equal(deadline.status, 422);
  assert.match(deadline.body.error.message, /resolving the dependencies of "@me\/app" took longer than 300 ms/);
  assert.ok(Date.now() - started < 5_000);
});

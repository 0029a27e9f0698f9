// Hostile npm dependencies and registries: every refusal is a clear error
// naming the offender, and nothing is left behind (no package, no staging, no unverified cache entry).

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { test, type TestContext } from "node:test";
import { createGzip } from "node:zlib";
import { Header } from "tar";
import { useFakeNpm, type FakeNpm } from "../helpers/registries/fake_npm.ts";
import { useNpmHost } from "../helpers/registries/npm_host.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { useTmp } from "../helpers/use_tmp.ts";
import type { TestHost } from "../helpers/use_host.ts";
import type { DependencyBounds } from "../../runtime/packages/index.ts";

const app = (imports: string, extra: Record<string, unknown> = {}) => ({
  manifest: { name: "@me/app", ...extra },
  files: { "mod.ts": `${imports}\nexport default { fetch: () => new Response("ok") };\n` },
});

async function refused(t: TestContext, npm: FakeNpm, fixture: ReturnType<typeof app>, bounds: Partial<DependencyBounds> = {}): Promise<{ status: number; body: any; host: TestHost }> {
  const host = await useNpmHost(t, npm, bounds);
  const root = await writePackage(await useTmp(t), "app", fixture);
  const answer = await host.json("POST", "/v1/packages", { body: { path: root } });
  assert.notEqual(answer.status, 200, JSON.stringify(answer.body));
  assert.equal((await host.json("GET", "/v1/packages/@me/app")).status, 404, "nothing half-installed");
  const staging = path.join(host.dataDir, "cache", ".staging");
  assert.deepEqual(existsSync(staging) ? await readdir(staging) : [], [], "no staging folder left");
  return { ...answer, host };
}

test("a tarball with traversal is refused and no file lands outside the cache", async (t) => {
  const npm = await useFakeNpm(t);
  await npm.publish("evil", "1.0.0", { entries: [{ path: "package.json", body: '{"name":"evil","version":"1.0.0"}' }, { path: "package/../../escaped.js", body: "x", exact: true }] });
  const { status, body, host } = await refused(t, npm, app('import "npm:evil@1";'));
  assert.equal(status, 422);
  assert.equal(body.error.code, "invalid_archive");
  assert.match(body.error.message, /npm:evil@1\.0\.0: archive entry .*climbs out/);
  assert.equal(existsSync(path.join(host.dataDir, "cache", "escaped.js")), false);
  assert.equal(existsSync(path.join(host.dataDir, "cache", "npm")) ? (await readdir(path.join(host.dataDir, "cache", "npm"))).length : 0, 0);
});

test("a tarball with a symbolic link is refused naming the entry", async (t) => {
  const npm = await useFakeNpm(t);
  await npm.publish("linky", "1.0.0", { entries: [{ path: "package.json", body: '{"name":"linky","version":"1.0.0"}' }, { path: "index.js", type: "SymbolicLink", linkpath: "/etc/passwd" }] });
  const { status, body } = await refused(t, npm, app('import "npm:linky@1";'));
  assert.equal(status, 422);
  assert.match(body.error.message, /npm:linky@1\.0\.0: archive entry "index\.js" is a symbolic link/);
});

test("install scripts never run", async (t) => {
  const npm = await useFakeNpm(t);
  const tmp = await useTmp(t);
  const marker = path.join(tmp, "ran");
  const script = `node -e "require('fs').writeFileSync('${marker}', 'x')"`;
  await npm.publish("scripted", "1.0.0", { files: { "index.js": "export const x = 1;\n" }, manifest: { type: "module", scripts: { preinstall: script, install: script, postinstall: script } } });
  const host = await useNpmHost(t, npm);
  const root = await writePackage(tmp, "app", app('import { x } from "npm:scripted@1"; console.log(x);'));
  const answer = await host.json("POST", "/v1/packages", { body: { path: root } });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(existsSync(marker), false);
});

test("exports pointing outside the package are refused", async (t) => {
  const npm = await useFakeNpm(t);
  await npm.publish("outward", "1.0.0", { files: { "index.js": "" }, manifest: { exports: { ".": "../../../etc/passwd" } } });
  const { status, body } = await refused(t, npm, app('import "npm:outward@1";'));
  assert.equal(status, 422);
  assert.match(body.error.message, /@me\/app -> npm:outward@1\.0\.0: its exports map "\." to "\.\.\/\.\.\/\.\.\/etc\/passwd", not a path inside the package/);
});

test("an import map entry leading to ../../ is refused", async (t) => {
  const npm = await useFakeNpm(t);
  const { status, body } = await refused(t, npm, app('import "secret";', { imports: { secret: "../../etc/passwd" } }));
  assert.equal(status, 422);
  assert.match(body.error.message, /import "secret" in mod\.ts is mapped to .*outside the package or missing/);
});

test("a dependency importing node:child_process is refused naming the chain", async (t) => {
  const npm = await useFakeNpm(t);
  await npm.publish("shell", "2.0.0", { files: { "index.js": 'const cp = require("child_process"); module.exports = cp;\n' } });
  await npm.publish("wrapper", "1.2.3", { files: { "index.js": 'export * from "shell";\n' }, manifest: { type: "module", dependencies: { shell: "^2" } } });
  const { status, body } = await refused(t, npm, app('import "npm:wrapper@1";'));
  assert.equal(status, 422);
  assert.match(body.error.message, /@me\/app -> npm:wrapper@1\.2\.3 -> npm:shell@2\.0\.0 -> node:child_process/);
});

test("the package's own node: import is refused naming it", async (t) => {
  const npm = await useFakeNpm(t);
  const { status, body } = await refused(t, npm, app('import fs from "node:fs"; console.log(fs);'));
  assert.equal(status, 422);
  assert.match(body.error.message, /@me\/app -> node:fs/);
});

test("a native addon is refused naming the package", async (t) => {
  const npm = await useFakeNpm(t);
  await npm.publish("native", "1.0.0", { files: { "index.js": "", "binding.gyp": "{}" } });
  const { status, body } = await refused(t, npm, app('import "npm:native@1";'));
  assert.equal(status, 422);
  assert.match(body.error.message, /npm:native@1\.0\.0 is a native addon/);
});

test("a tarball that does not match its integrity is refused and not cached", async (t) => {
  const npm = await useFakeNpm(t);
  await npm.publish("liar", "1.0.0", { files: { "index.js": "" }, integrity: `sha512-${Buffer.alloc(64).toString("base64")}` });
  const { status, body, host } = await refused(t, npm, app('import "npm:liar@1";'));
  assert.equal(status, 422);
  assert.match(body.error.message, /npm:liar@1\.0\.0: the tarball does not match its integrity/);
  assert.equal(existsSync(path.join(host.dataDir, "cache", "npm")) ? (await readdir(path.join(host.dataDir, "cache", "npm"))).length : 0, 0);
});

test("a version without integrity, or with a tarball on another origin, is refused", async (t) => {
  const npm = await useFakeNpm(t);
  await npm.publish("bare", "1.0.0", { files: { "index.js": "" }, integrity: null });
  await npm.publish("elsewhere", "1.0.0", { files: { "index.js": "" }, tarballUrl: "http://127.0.0.2:9/elsewhere.tgz" });
  const bare = await refused(t, npm, app('import "npm:bare@1";'));
  assert.match(bare.body.error.message, /npm:bare@1\.0\.0 has neither dist\.integrity nor dist\.shasum/);
  const elsewhere = await refused(t, npm, app('import "npm:elsewhere@1";'));
  assert.match(elsewhere.body.error.message, /npm:elsewhere@1\.0\.0: its tarball http:\/\/127\.0\.0\.2:9\/elsewhere\.tgz is not on the npm registry/);
});

test("an unknown package and a range no version matches are 422s naming specifier and registry", async (t) => {
  const npm = await useFakeNpm(t);
  await npm.publish("old", "1.0.0", { files: { "index.js": "" } });
  const unknown = await refused(t, npm, app('import "npm:nope@1";'));
  assert.equal(unknown.status, 422);
  assert.match(unknown.body.error.message, new RegExp(`@me/app -> npm:nope@1: package "nope" is not in the npm registry ${npm.url}/`));
  const range = await refused(t, npm, app('import "npm:old@^9";'));
  assert.equal(range.status, 422);
  assert.match(range.body.error.message, new RegExp(`no version of "old" matches "\\^9" in the npm registry ${npm.url}/`));
});

test("an unreachable registry is a 502, a rate-limited one a 503 with Retry-After", async (t) => {
  const npm = await useFakeNpm(t);
  npm.rateLimitRetryAfter = 42;
  const limited = await refused(t, npm, app('import "npm:any@1";'));
  assert.equal(limited.status, 503);
  assert.equal(limited.body.error.code, "rate_limited");
  const response = await limited.host.request("POST", "/v1/packages", { body: { path: (await writePackage(await useTmp(t), "again", app('import "npm:any@1";'))) } });
  assert.equal(response.headers.get("retry-after"), "42");
  await npm.close();
  const down = await refused(t, npm, app('import "npm:any@1";'));
  assert.equal(down.status, 502);
  assert.match(down.body.error.message, new RegExp(`cannot reach the npm registry ${npm.url}/`));
});

test("a registry that never answers times out and leaves nothing behind", async (t) => {
  const npm = await useFakeNpm(t);
  npm.stall = true;
  const started = Date.now();
  const slow = await refused(t, npm, app('import "npm:any@1";'), { requestTimeoutMs: 500 });
  assert.equal(slow.status, 502);
  const deadline = await refused(t, npm, app('import "npm:any@1";'), { timeoutMs: 300, requestTimeoutMs: 5_000 });
  assert.equal(deadline.status, 422);
  assert.match(deadline.body.error.message, /resolving the dependencies of "@me\/app" took longer than 300 ms/);
  assert.ok(Date.now() - started < 5_000);
});

test("a graph of 10,000 packages is refused before it is fetched", async (t) => {
  const npm = await useFakeNpm(t);
  const wide = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`w${i}`, "1.0.0"]));
  await npm.publish("wide", "1.0.0", { files: { "index.js": "" }, manifest: { dependencies: wide } });
  const { status, body } = await refused(t, npm, app('import "npm:wide@1";'));
  assert.equal(status, 422);
  assert.match(body.error.message, /the dependencies of @me\/app are more than 1000 packages \(ISOPOD_DEPS_MAX_PACKAGES\)/);
  assert.equal(npm.count(/GET \/w\d+$/), 0);
});

test("a dependency that unpacks to a gigabyte is refused with bounded memory", async (t) => {
  const npm = await useFakeNpm(t);
  const GIB = 1024 ** 3;
  const stream = () => {
    const header = new Header({ path: "package/huge.js", type: "File", size: GIB, mode: 0o644, mtime: new Date(0) });
    header.encode();
    let sent = 0;
    const zeros = Buffer.alloc(1024 * 1024);
    const source = new Readable({
      read() {
        if (sent === 0) this.push(header.block!);
        if (sent >= GIB) return void this.push(null);
        sent += zeros.length;
        this.push(zeros);
      },
    });
    return source.pipe(createGzip({ level: 1 }));
  };
  await npm.publish("huge", "1.0.0", { stream, integrity: `sha512-${Buffer.alloc(64).toString("base64")}` });
  const before = process.memoryUsage().rss;
  const { status, body } = await refused(t, npm, app('import "npm:huge@1";'), { maxBytes: 20 * 1024 * 1024 });
  assert.equal(status, 422);
  assert.match(body.error.message, /npm:huge@1\.0\.0: .*larger than 20971520 bytes/);
  assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024, "memory stays bounded");
});

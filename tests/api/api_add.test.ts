// Adding packages from a path through the API: the happy path, and every bad
// input answered with a clear error that changes nothing.

import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { assertApiError, assertNothingInstalled } from "../helpers/assertions.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { FORMATS, useHost } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";
import { HELLO } from "../helpers/paths.ts";


// The same suite runs in every wire format: JSON and MessagePack.
for (const format of FORMATS) {
  describe(`POST /v1/packages with a path (${format})`, () => {
    test("adds and starts the hello package", async (t) => {
      const h = await useHost(t, { format });
      const added = await h.json("POST", "/v1/packages", { body: { path: HELLO, start: true } });
      assert.equal(added.status, 200, JSON.stringify(added.body));
      assert.equal(added.body.name, "@isopod/hello");
      assert.equal(added.body.state, "running");
      assert.equal(added.body.desiredState, "running");
      assert.deepEqual(added.body.source, { kind: "path", path: HELLO });
      assert.match(added.body.integrity, /^sha256-[0-9a-f]{64}$/);
      const listed = await h.json("GET", "/v1/packages");
      assert.deepEqual(listed.body.items.map((p: any) => p.name), ["@isopod/hello"]);
    });

    test("adds without starting unless asked", async (t) => {
      const h = await useHost(t, { format });
      const added = await h.json("POST", "/v1/packages", { body: { path: HELLO } });
      assert.equal(added.body.state, "installed");
      assert.equal(added.body.desiredState, "stopped");
    });

    test("a second add of the same name without reload returns the existing package untouched", async (t) => {
      const h = await useHost(t, { format });
      const first = await h.json("POST", "/v1/packages", { body: { path: HELLO } });
      const second = await h.json("POST", "/v1/packages", { body: { path: HELLO } });
      assert.equal(second.status, 200);
      assert.deepEqual(second.body, first.body);
      const adds = h.host.store.operations.list({}).filter((op) => op.operation === "add");
      assert.equal(adds.length, 2);
    });

    test("adding a name installed from another folder is 409 name_taken", async (t) => {
      const h = await useHost(t, { format });
      const dir = await useTmp(t);
      const a = await writePackage(dir, "a", { manifest: { name: "same" } });
      const b = await writePackage(dir, "b", { manifest: { name: "same" } });
      assert.equal((await h.json("POST", "/v1/packages", { body: { path: a } })).status, 200);
      assertApiError(await h.json("POST", "/v1/packages", { body: { path: b } }), 409, "name_taken", /"same".*delete it first/);
    });

    test("runs the install hook once, with ctx.package and ctx.config", async (t) => {
      const h = await useHost(t, { format });
      const dir = await useTmp(t);
      const root = await writePackage(dir, "installer", {
        files: {
          "mod.ts": `export default { install(ctx) { console.log("install", ctx.package.name, ctx.package.version, ctx.config.greeting); } };`,
        },
      });
      await h.json("POST", "/v1/packages", { body: { path: root, config: { greeting: "hi" } } });
      const logs = h.host.logs.tail("installer", 10).map((entry) => entry.message);
      assert.deepEqual(logs, ["install installer 1.0.0 hi"]);
    });
  });

  describe(`POST /v1/packages refuses bad input and changes nothing (${format})`, () => {
    const cases: { name: string; fixture?: Parameters<typeof writePackage>[2]; body?: (root: string) => unknown; status: number; code: string; message: RegExp }[] = [
      { name: "a path that does not exist", body: (root) => ({ path: `${root}/missing` }), status: 400, code: "bad_request", message: /does not exist/ },
      { name: "a path that is a file", body: (root) => ({ path: `${root}/deno.json` }), status: 400, code: "bad_request", message: /is not a folder/ },
      { name: "no deno.json", fixture: { files: {} }, body: (root) => ({ path: path.dirname(root) }), status: 422, code: "invalid_package", message: /no deno\.json or deno\.jsonc/ },
      { name: "deno.json that is not JSON", fixture: { manifest: "{ name: " }, status: 422, code: "invalid_package", message: /deno\.json: not valid JSON .*line 1/ },
      { name: "a missing name", fixture: { manifest: JSON.stringify({ version: "1.0.0", exports: "./mod.ts" }) }, status: 422, code: "invalid_package", message: /"name" is required/ },
      { name: "a wrong name", fixture: { manifest: { name: "Bad Name" } }, status: 422, code: "invalid_package", message: /"name" must match/ },
      { name: "a version that is not semver", fixture: { manifest: { version: "1.x" } }, status: 422, code: "invalid_package", message: /"version" must be a semver version/ },
      { name: "a missing exports", fixture: { manifest: JSON.stringify({ name: "p", version: "1.0.0" }) }, status: 422, code: "invalid_package", message: /"exports" is required/ },
      { name: "an entry file that does not exist", fixture: { manifest: { exports: "./nope.ts" } }, status: 422, code: "invalid_package", message: /nope\.ts/ },
      { name: "a syntax error in the module", fixture: { files: { "mod.ts": "export default {\n  start( {\n};\n" } }, status: 422, code: "invalid_package", message: /mod\.ts:\d+:\d+/ },
      { name: "a jsr: import without a scope", fixture: { files: { "mod.ts": `import chalk from "jsr:fmt";\nexport default { start() { chalk; } };` } }, status: 422, code: "invalid_package", message: /import "jsr:fmt": JSR package names have a scope/ },
      { name: "an https: import", fixture: { files: { "mod.ts": `import x from "https://deno.land/x/y.ts";\nexport default x;` } }, status: 422, code: "invalid_package", message: /import "https:\/\/deno\.land\/x\/y\.ts"/ },
      { name: "an import without extension", fixture: { files: { "mod.ts": `import { a } from "./a";\nexport default { a };`, "a.ts": "export const a = 1;" } }, status: 422, code: "invalid_package", message: /needs an explicit file extension/ },
      { name: "an import that leads outside the package", fixture: { files: { "mod.ts": `import { a } from "../outside.ts";\nexport default { a };` } }, status: 422, code: "invalid_package", message: /outside|not found/ },
      { name: "asking for run permission", fixture: { manifest: { permissions: { default: { run: ["ls"] } } } }, status: 422, code: "invalid_package", message: /permission "run" can never be granted/ },
      { name: "asking for ffi permission", fixture: { manifest: { permissions: { default: { ffi: true } } } }, status: 422, code: "invalid_package", message: /permission "ffi"/ },
      { name: "an install hook that throws", fixture: { files: { "mod.ts": `export default { install() { throw new Error("disk on fire"); } };` } }, status: 422, code: "install_failed", message: /disk on fire/ },
      { name: "a module that throws at top level", fixture: { files: { "mod.ts": `throw new Error("top-level boom");\nexport default {};` } }, status: 422, code: "install_failed", message: /top-level boom/ },
      { name: "a default export that is not an object", fixture: { files: { "mod.ts": `export default 42;` } }, status: 422, code: "invalid_package", message: /default export must be an object/ },
      { name: "a dependency that is not installed", fixture: { manifest: { isopod: { dependencies: { "@acme/base": "^1.0.0" } } } }, status: 422, code: "invalid_package", message: /"@acme\/base" \(\^1\.0\.0\) is not installed/ },
      { name: "both git_url and path", body: (root) => ({ path: root, git_url: "https://github.com/a/b" }), status: 400, code: "bad_request", message: /exactly one of "git_url" or "path"/ },
      { name: "neither git_url nor path", body: () => ({}), status: 400, code: "bad_request", message: /exactly one/ },
      { name: "an unknown field", body: (root) => ({ path: root, colour: "blue" }), status: 400, code: "bad_request", message: /colour/ },
      { name: "a grant of run", body: (root) => ({ path: root, grant: { run: true } }), status: 400, code: "bad_request", message: /"run" can never be granted/ },
      { name: "env that is not strings", body: (root) => ({ path: root, env: { A: 1 } }), status: 400, code: "bad_request", message: /"env\.A"/ },
    ];

    for (const c of cases) {
      test(`${c.name}: ${c.status} ${c.code}`, async (t) => {
        const h = await useHost(t, { format });
        const dir = await useTmp(t);
        const root = await writePackage(dir, "pkg", c.fixture);
        const body = c.body ? c.body(root) : { path: root };
        assertApiError(await h.json("POST", "/v1/packages", { body }), c.status, c.code, c.message);
        await assertNothingInstalled(h);
      });
    }

    test(`a body that is not valid ${format}: 400`, async (t) => {
      const h = await useHost(t, { format });
      const expected = format === "json" ? /not valid JSON/ : /not valid MessagePack/;
      assertApiError(await h.json("POST", "/v1/packages", { body: "{not json" }), 400, "bad_request", expected);
      await assertNothingInstalled(h);
    });

    test("an install hook that never returns is terminated at the timeout and nothing is installed", async (t) => {
      const h = await useHost(t, { format });
      const dir = await useTmp(t);
      const root = await writePackage(dir, "hangs", {
        manifest: { isopod: { limits: { timeoutMs: 300 } } },
        files: { "mod.ts": `export default { install() { return new Promise(() => {}); } };` },
      });
      const started = Date.now();
      assertApiError(await h.json("POST", "/v1/packages", { body: { path: root } }), 422, "install_failed", /within 300 ms/);
      assert.ok(Date.now() - started < 5_000);
      await assertNothingInstalled(h);
    });
  });
}

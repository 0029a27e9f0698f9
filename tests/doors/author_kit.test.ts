// The package author's kit: `isopod init` writes a package that passes
// `deno check`, answers under `deno serve -P`, type-checks with TypeScript via
// isopod.d.ts, and runs on a host; and the types catch a wrong export.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test, type TestContext } from "node:test";
import { runCli } from "../helpers/clients/run_cli.ts";
import { useHost } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";
import { waitFor } from "../helpers/wait_for.ts";
import { ROOT } from "../helpers/paths.ts";

const DENO = path.join(ROOT, "node_modules/.bin/deno");
const TSC = path.join(ROOT, "node_modules/.bin/tsc");

async function denoEnv(t: TestContext): Promise<NodeJS.ProcessEnv> {
  return { ...process.env, DENO_DIR: await useTmp(t, "isopod-deno-"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
}

function denoCheck(dir: string, env: NodeJS.ProcessEnv) {
  return spawnSync(DENO, ["check", "mod.ts"], { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
}

/** tsc on mod.ts with only the DOM and ES libs: what a TypeScript user without Deno has. */
async function typescriptCheck(dir: string) {
  const config = {
    compilerOptions: { strict: true, noEmit: true, target: "ES2022", module: "ESNext", moduleResolution: "Bundler", lib: ["ES2023", "DOM"], types: [], allowImportingTsExtensions: true },
    files: ["mod.ts"],
  };
  await writeFile(path.join(dir, "tsconfig.json"), JSON.stringify(config));
  return spawnSync(process.execPath, [TSC, "-p", "tsconfig.json"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
}

async function init(t: TestContext, args: string[] = []): Promise<string> {
  const dir = path.join(await useTmp(t), "clock");
  const run = await runCli(["init", dir, ...args]);
  assert.equal(run.code, 0, run.stderr);
  return dir;
}

describe("isopod init", () => {
  test("writes deno.json, mod.ts, isopod.d.ts and a README into a new folder", async (t) => {
    const dir = path.join(await useTmp(t), "My Clock");
    const run = await runCli(["init", dir, "--json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.json(), { name: "my-clock", dir, files: ["deno.json", "mod.ts", "isopod.d.ts", "README.md"] });
    assert.deepEqual((await readdir(dir)).sort(), ["README.md", "deno.json", "isopod.d.ts", "mod.ts"]);
    const manifest = JSON.parse(await readFile(path.join(dir, "deno.json"), "utf8"));
    assert.deepEqual({ name: manifest.name, version: manifest.version, exports: manifest.exports }, { name: "my-clock", version: "0.1.0", exports: "./mod.ts" });
    assert.equal(await readFile(path.join(dir, "isopod.d.ts"), "utf8"), await readFile(path.join(ROOT, "types/isopod.d.ts"), "utf8"));
    const human = await runCli(["init", path.join(path.dirname(dir), "other")]);
    assert.match(human.stdout, /^created other in .*other: deno\.json, mod\.ts, isopod\.d\.ts, README\.md\nnext:\n {2}deno serve -P .*\n {2}isopod add .* --start/);
  });

  test("refuses a folder that is not empty (exit 1) and a name that is not one (exit 2), writing nothing", async (t) => {
    const tmp = await useTmp(t);
    await writeFile(path.join(tmp, "keep.txt"), "mine");
    const busy = await runCli(["init", tmp]);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /is not empty; pick a new or empty folder/);
    assert.deepEqual(await readdir(tmp), ["keep.txt"]);
    const unnamed = await runCli(["init", path.join(tmp, "___")]);
    assert.equal(unnamed.code, 2);
    assert.match(unnamed.stderr, /"" is not a valid package name .* pass --name/);
    assert.deepEqual(await readdir(tmp), ["keep.txt"]);
  });

  test("the package passes deno check, and the types under TypeScript", async (t) => {
    const dir = await init(t, ["--name", "@acme/clock"]);
    const deno = denoCheck(dir, await denoEnv(t));
    assert.equal(deno.status, 0, `deno check failed:\n${deno.stdout}${deno.stderr}`);
    const tsc = await typescriptCheck(dir);
    assert.equal(tsc.status, 0, `tsc failed:\n${tsc.stdout}${tsc.stderr}`);
  });

  test("the types catch a default export that is not a package, under Deno and TypeScript", async (t) => {
    const dir = await init(t);
    await writeFile(
      path.join(dir, "mod.ts"),
      `import type * as isopod from "./isopod.d.ts";\nexport default {\n  start(ctx) { return ctx.package.nmae; },\n  fetch() { return "not a Response"; },\n} satisfies isopod.Package;\n`,
    );
    const deno = denoCheck(dir, await denoEnv(t));
    assert.notEqual(deno.status, 0);
    assert.match(deno.stdout + deno.stderr, /nmae/);
    const tsc = await typescriptCheck(dir);
    assert.notEqual(tsc.status, 0);
    assert.match(tsc.stdout, /Property 'nmae' does not exist/);
    assert.match(tsc.stdout, /not assignable to type 'Response/);
  });

  test("the package answers under deno serve -P", async (t) => {
    const dir = await init(t);
    const child = spawn(DENO, ["serve", "-P", "--host", "127.0.0.1", "--port", "0", "mod.ts"], { cwd: dir, env: await denoEnv(t), stdio: ["ignore", "pipe", "pipe"] });
    t.after(() => {
      child.kill("SIGKILL");
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => /Listening on http:\/\/127\.0\.0\.1:\d+/.test(output), 30_000);
    const port = /127\.0\.0\.1:(\d+)/.exec(output)![1];
    const answer = await fetch(`http://127.0.0.1:${port}/time?name=you`);
    assert.deepEqual(await answer.json(), { hello: "you", path: "/time" });
  });

  test("the package runs on an isopod host", async (t) => {
    const dir = await init(t, ["--name", "@acme/clock"]);
    const h = await useHost(t);
    const added = await h.json("POST", "/v1/packages", { body: { path: dir, start: true } });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal(added.body.state, "running");
    assert.deepEqual(h.host.logs.tail("@acme/clock", 5).map((e) => e.message), ["@acme/clock 0.1.0 started"]);
    await h.json("POST", "/v1/packages/@acme/clock/stop");
    assert.match(h.host.logs.tail("@acme/clock", 5).at(-1)!.message, /^stopped after \d+ ms$/);
  });
});

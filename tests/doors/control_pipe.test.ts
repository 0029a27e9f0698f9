// Liota's control pipe, driven by writing lines to it: lifecycle commands,
// stat and list, malformed lines logged and ignored, writers that come and go.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { lstat, mkdir, open, readFile, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, test, type TestContext } from "node:test";
import { spawnHost } from "../helpers/spawn_host.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { useHost, type TestHost } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";
import { waitFor } from "../helpers/wait_for.ts";
import { HELLO } from "../helpers/paths.ts";


interface PipeHost {
  h: TestHost;
  pipe: string;
  /** What the host logged, one entry per line. */
  lines: string[];
  write(text: string): Promise<void>;
  /** Waits until a logged line matches, and returns it. */
  logged(pattern: RegExp): Promise<string>;
  /** The audit log's pipe entries, oldest first. */
  pipeOps(): [string, string | null, string][];
}

async function usePipeHost(t: TestContext): Promise<PipeHost> {
  const h = await useHost(t);
  const lines: string[] = [];
  h.host.log = (line) => lines.push(line);
  const pipe = h.host.controlPipe!.path;
  return {
    h,
    pipe,
    lines,
    write: (text) => writeFile(pipe, text),
    logged: async (pattern) => {
      await waitFor(() => lines.some((l) => pattern.test(l)), 10_000);
      return lines.find((l) => pattern.test(l))!;
    },
    pipeOps: () =>
      h.host.store.operations
        .list({})
        .filter((op) => op.actor === "pipe")
        .reverse()
        .map((op) => [op.operation, op.package, op.result]),
  };
}

async function addFixture(t: TestContext, h: TestHost, name: string): Promise<void> {
  const root = await writePackage(await useTmp(t), name, { files: { "mod.ts": `export default { start() {}, stop() {} };` } });
  assert.equal((await h.json("POST", "/v1/packages", { body: { path: root } })).status, 200);
}

const stateOf = async (h: TestHost, name: string) => (await h.json("GET", `/v1/packages/${name}`)).body.state;

describe("the control pipe", () => {
  test("is a named pipe with mode 0600 in the data folder while the host runs, and gone after", async (t) => {
    const { h, pipe } = await usePipeHost(t);
    assert.equal(path.dirname(pipe), h.dataDir);
    const info = await lstat(pipe);
    assert.ok(info.isFIFO());
    assert.equal(info.mode & 0o777, 0o600);
    await h.host.close();
    await assert.rejects(lstat(pipe), { code: "ENOENT" });
  });

  test("load, unload and delete drive packages; results go to the host log and the audit log", async (t) => {
    const p = await usePipeHost(t);
    await addFixture(t, p.h, "alpha");
    await p.write("load alpha\n");
    assert.equal(await p.logged(/load "alpha"/), `load "alpha": ok, running`);
    assert.equal(await stateOf(p.h, "alpha"), "running");
    await p.write("unload alpha\n");
    await p.logged(/unload "alpha": ok, installed/);
    await p.write("delete alpha\n");
    await p.logged(/delete "alpha": ok, deleted/);
    assert.equal((await p.h.json("GET", "/v1/packages/alpha")).status, 404);
    assert.deepEqual(p.pipeOps(), [
      ["start", "alpha", "ok"],
      ["pipe.load", "alpha", "ok"],
      ["stop", "alpha", "ok"],
      ["pipe.unload", "alpha", "ok"],
      ["delete", "alpha", "ok"],
      ["pipe.delete", "alpha", "ok"],
    ]);
  });

  test("takes several names, separated by spaces or commas, and reports each", async (t) => {
    const p = await usePipeHost(t);
    for (const name of ["a1", "a2", "a3"]) await addFixture(t, p.h, name);
    await p.write("load a1, a2,a3 nope\n");
    await p.logged(/load "nope": failed \(not_found\): package "nope" is not installed/);
    for (const name of ["a1", "a2", "a3"]) assert.equal(await stateOf(p.h, name), "running");
    const [entry] = p.h.host.store.operations.list({}).filter((op) => op.operation === "pipe.load");
    assert.deepEqual(entry!.params, { names: ["a1", "a2", "a3", "nope"] });
    assert.equal(entry!.result, "error");
    assert.equal(entry!.error!.code, "not_found");
  });

  test("reload and update re-read a package from its source and keep it running", async (t) => {
    const p = await usePipeHost(t);
    await addFixture(t, p.h, "beta");
    await p.write("load beta\nreload beta\nupdate beta\n");
    await p.logged(/^reload "beta": ok, running$/);
    await p.logged(/^update "beta": ok, running$/);
    assert.equal(await stateOf(p.h, "beta"), "running");
    const ops = p.h.host.store.operations.list({}).map((op) => op.operation);
    assert.ok(ops.includes("pipe.reload") && ops.includes("pipe.update"), ops.join(", "));
  });

  test("stat and list report on the host, in Liota's short and long words", async (t) => {
    const p = await usePipeHost(t);
    await p.h.json("POST", "/v1/packages", { body: { path: HELLO, start: true } });
    await p.write("stat met\nstat col\nstat th\nstat pkg @isopod/hello\nlist pkg\nlist th\nlist res\nstat metrics\nlist packages\n");
    assert.match(await p.logged(/^stat met/), /^stat met: packages 1 \(running 1\); isolates 1; host rss \d+ MiB, heap \d+ MiB; uptime \d+ s$/);
    assert.match(await p.logged(/^stat col/), /^stat col: audit entries \d+, captured log lines \d+$/);
    assert.equal(await p.logged(/^stat th/), "stat th: 1 isolate(s) running");
    assert.equal(await p.logged(/^stat pkg/), `stat pkg "@isopod/hello": 1.0.0 running (desired running)`);
    assert.equal(await p.logged(/^list pkg/), "list pkg: @isopod/hello 1.0.0 running");
    assert.equal(await p.logged(/^list th/), "list th: @isopod/hello");
    assert.equal(await p.logged(/^list res/), "list res: none");
    await waitFor(() => p.lines.filter((l) => l.startsWith("stat met")).length === 2 && p.lines.filter((l) => l.startsWith("list pkg")).length === 2);
    const ops = p.pipeOps().map(([op, , result]) => `${op} ${result}`);
    assert.deepEqual(ops, ["pipe.stat ok", "pipe.stat ok", "pipe.stat ok", "pipe.stat ok", "pipe.list ok", "pipe.list ok", "pipe.list ok", "pipe.stat ok", "pipe.list ok"]);
  });

  describe("malformed lines are logged and ignored, and the pipe goes on", () => {
    const cases: [string, RegExp][] = [
      ["frobnicate all", /unknown command "frobnicate"/],
      ["load", /"load" needs at least one package name/],
      ["load Bad/Name", /"Bad\/Name" is not a valid package name/],
      ["unload ../../etc", /"\.\.\/\.\.\/etc" is not a valid package name/],
      ["stat", /"stat" takes met, col, th or pkg NAME/],
      ["stat pkg", /"stat pkg" takes exactly one package name/],
      ["stat met extra", /"stat met" takes no names/],
      ["list everything", /"list" takes pkg, res or th/],
      [`load ${Array.from({ length: 101 }, (_, i) => `p${i}`).join(" ")}`, /at most 100 names/],
    ];
    for (const [line, message] of cases) {
      test(JSON.stringify(line.slice(0, 40)), async (t) => {
        const p = await usePipeHost(t);
        await addFixture(t, p.h, "gamma");
        await p.write(`${line}\nload gamma\n`);
        assert.match(await p.logged(/^control pipe: ignored/), message);
        await p.logged(/load "gamma": ok, running/);
        const [first] = p.pipeOps();
        assert.deepEqual(first, ["pipe", null, "error"]);
      });
    }

    test("a line longer than 4096 characters is dropped whole", async (t) => {
      const p = await usePipeHost(t);
      await addFixture(t, p.h, "delta");
      await p.write(`load ${"x".repeat(10_000)} delta\nload delta\n`);
      await p.logged(/load "delta": ok, running/);
      assert.ok(p.lines.some((l) => /ignored a line longer than 4096/.test(l)));
      assert.deepEqual(p.pipeOps().map(([op]) => op), ["start", "pipe.load"]);
    });

    test("blank lines, comments and CRLF are fine", async (t) => {
      const p = await usePipeHost(t);
      await addFixture(t, p.h, "eps");
      await p.write("\n   \n# a comment\r\nload eps\r\n");
      await p.logged(/load "eps": ok, running/);
      assert.ok(!p.lines.some((l) => /ignored/.test(l)), p.lines.join("\n"));
    });
  });

  describe("writers", () => {
    test("survive disconnecting: each writer opens, writes and leaves, and the next is heard", async (t) => {
      const p = await usePipeHost(t);
      for (const name of ["w1", "w2", "w3"]) await addFixture(t, p.h, name);
      for (const name of ["w1", "w2", "w3"]) await p.write(`load ${name}\n`);
      execFileSync("sh", ["-c", `echo "unload w2" > '${p.pipe}'`], { timeout: 10_000 });
      await p.logged(/unload "w2": ok/);
      await p.logged(/load "w3": ok/);
      assert.equal(await stateOf(p.h, "w1"), "running");
    });

    test("a line may arrive in pieces from one writer", async (t) => {
      const p = await usePipeHost(t);
      await addFixture(t, p.h, "zeta");
      const writer = await open(p.pipe, "w");
      await writer.write("lo");
      await new Promise((resolve) => setTimeout(resolve, 50));
      await writer.write("ad ze");
      await writer.write("ta\n");
      await writer.close();
      await p.logged(/load "zeta": ok, running/);
    });
  });

  test("replaces a file or a link planted at its path, never touching the link's target", async (t) => {
    const dataDir = await useTmp(t);
    const target = path.join(await useTmp(t), "precious");
    await writeFile(target, "keep me");
    await symlink(target, path.join(dataDir, "control"));
    const h = await useHost(t, { dataDir });
    assert.ok((await lstat(h.host.controlPipe!.path)).isFIFO());
    assert.equal(await readFile(target, "utf8"), "keep me");
  });

  test("a folder in its way leaves the host running without a pipe, and says so", async (t) => {
    const dataDir = await useTmp(t);
    await mkdir(path.join(dataDir, "control"));
    const lines: string[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => lines.push(args.join(" "));
    let h: TestHost;
    try {
      h = await useHost(t, { dataDir });
    } finally {
      console.log = original;
    }
    assert.equal(h.host.controlPipe, undefined);
    assert.ok(lines.some((l) => /no control pipe: cannot create .*control/.test(l)), lines.join("\n"));
    assert.equal((await h.json("GET", "/healthz")).status, 200);
    assert.ok((await stat(path.join(dataDir, "control"))).isDirectory());
  });

  test("a host started as npm start starts it opens the pipe and logs results to its output", async (t) => {
    const dataDir = await useTmp(t);
    const host = await spawnHost(t, { ISOPOD_DATA: dataDir, ISOPOD_ADMIN_TOKEN: "tok" });
    const pipe = path.join(dataDir, "control");
    assert.match(host.output(), new RegExp(`control pipe at ${pipe} \\(mode 0600\\)`));
    await writeFile(pipe, "list pkg\nnonsense\n");
    await waitFor(() => /isopod: list pkg: none/.test(host.output()) && /isopod: control pipe: ignored "nonsense"/.test(host.output()), 10_000);
  });
});

// Adding from a GitHub tree URL: wall time and the host's peak RSS increase
// for repositories of ~200 KB, ~20 MB and ~60 MB around the same small package, each add in a fresh host.

import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { FakeGitHub } from "../tests/helpers/registries/fake_github.ts";
import { tarball } from "../tests/helpers/registries/tar_writer.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const TOKEN = "bench-admin-token";
const RUNS = 3;
const MB = 1024 * 1024;
/** Incompressible bytes beside the package folder, per repository. */
const SIZES: Record<string, number> = { small: 200 * 1024, big: 20 * MB, bigger: 60 * MB };

/** A repository with a small package in `pkg/` and `noise` bytes of incompressible files beside it. */
async function writeRepo(dir: string, name: string, noise: number): Promise<string> {
  await mkdir(path.join(dir, "pkg"), { recursive: true });
  await writeFile(path.join(dir, "pkg", "deno.json"), JSON.stringify({ name, version: "1.0.0", exports: "./mod.ts" }));
  await writeFile(path.join(dir, "pkg", "mod.ts"), `export default { start() { console.log("up"); } };\n`);
  await mkdir(path.join(dir, "assets"), { recursive: true });
  for (let i = 0, left = noise; left > 0; i++, left -= MB) {
    await writeFile(path.join(dir, "assets", `blob${i}.bin`), randomBytes(Math.min(MB, left)));
  }
  return dir;
}

async function gzippedSize(folder: string): Promise<number> {
  let size = 0;
  for await (const chunk of tarball("x", "0".repeat(40), { folder })) size += (chunk as Buffer).length;
  return size;
}

/** Peak and current resident set of a process, in bytes (Linux). */
async function memoryOf(pid: number): Promise<{ peak: number; rss: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
  return { peak: field("VmHWM"), rss: field("VmRSS") };
}

async function startHost(dataDir: string, api: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", "cli/main.ts", "serve"], {
    cwd: ROOT,
    env: { ...process.env, ISOPOD_HOST: "127.0.0.1", ISOPOD_PORT: "0", ISOPOD_DATA: dataDir, ISOPOD_ADMIN_TOKEN: TOKEN, ISOPOD_GITHUB_API: api },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start within 30 s:\n${output}`)), 30_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving (http:\/\/\S+)/.exec(output);
      if (match && output.includes("isopod: ready")) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`host exited with ${code}:\n${output}`)));
  });
  return { url, child };
}

async function add(url: string, gitUrl: string): Promise<void> {
  const response = await fetch(`${url}/v1/packages`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ git_url: gitUrl }),
  });
  if (response.status !== 200) throw new Error(`add ${gitUrl}: ${response.status} ${await response.text()}`);
}

/** One add in a fresh host, after a warm-up add (so esbuild and the isolate are already loaded). */
async function measure(api: string, repo: string): Promise<{ ms: number; peakIncrease: number; peak: number }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "isopod-bench-"));
  const { url, child } = await startHost(dataDir, api);
  try {
    await add(url, "https://github.com/acme/warm/tree/main/pkg");
    const before = await memoryOf(child.pid!);
    const started = performance.now();
    await add(url, `https://github.com/acme/${repo}/tree/main/pkg`);
    const ms = performance.now() - started;
    const after = await memoryOf(child.pid!);
    return { ms, peakIncrease: after.peak - before.peak, peak: after.peak };
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MiB`;

export async function run(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), "isopod-bench-repos-"));
  const github = new FakeGitHub();
  await github.listen();
  try {
    const repos: Record<string, string> = { warm: await writeRepo(path.join(work, "warm"), "warm", 0) };
    for (const [name, bytes] of Object.entries(SIZES)) repos[name] = await writeRepo(path.join(work, name), name, bytes);
    for (const [name, folder] of Object.entries(repos)) github.repo(`acme/${name}`).commit({ folder }, "main");
    console.log("add from a GitHub tree URL (package folder: 2 files; the rest of the repository is skipped)");
    console.log(`  fake GitHub on ${github.url}, ${RUNS} runs each, a fresh host process per run`);
    for (const name of Object.keys(SIZES)) {
      const results = [];
      for (let i = 0; i < RUNS; i++) results.push(await measure(github.url, name));
      const size = await gzippedSize(repos[name]!);
      console.log(
        `  ${name.padEnd(6)} tarball ${mb(size).padStart(9)}: wall ${median(results.map((r) => r.ms)).toFixed(0).padStart(5)} ms, ` +
          `peak RSS increase ${mb(median(results.map((r) => r.peakIncrease))).padStart(9)} ` +
          `(runs: ${results.map((r) => mb(r.peakIncrease)).join(", ")}; peak ${mb(median(results.map((r) => r.peak)))}), median of ${RUNS}`,
      );
    }
  } finally {
    await github.close();
    await rm(work, { recursive: true, force: true });
  }
}

// How the sandbox process is started: from one ES module that esbuild bundles
// once per host process, with the in-isolate runtime built in, run by plain
// Node (no TypeScript loader: it is ready in a third of the time, which every
// host start and every restart after a crash pays). Without a cache folder,
// or if bundling fails, the TypeScript entry runs through tsx instead.

import { build, type Plugin } from "esbuild";
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { partSource, runtimeSource } from "../host/runtime_source.ts";
import { PART_NAMES } from "../isolate/core/part_globals.ts";

export interface ChildEntry {
  module: string;
  execArgv: string[];
}

const SOURCE = fileURLToPath(new URL("./sandbox_process.ts", import.meta.url));
/** isolated-vm needs it (see README.md); a host profiled with `--cpu-prof` profiles its sandbox processes too. */
const NODE_FLAGS = ["--no-node-snapshot", ...process.execArgv.filter((flag) => flag.startsWith("--cpu-prof"))];

let bundled: Promise<string> | undefined;
/** Writes under way, by file: sandbox processes started together (a pool) share one write instead of racing. */
const writing = new Map<string, Promise<void>>();
let warned = false;

/** The TypeScript entry, run through tsx found beside this file (so a host started from any folder finds it). */
export function sourceEntry(): ChildEntry {
  return { module: SOURCE, execArgv: [...NODE_FLAGS, "--import", import.meta.resolve("tsx")] };
}

/** The bundled entry, written into `cacheDir` (the host's own folder, not a shared one: the host runs what is there). */
export async function childEntry(cacheDir: string | undefined): Promise<ChildEntry> {
  if (cacheDir === undefined) return sourceEntry();
  try {
    bundled ??= bundle();
    const code = await bundled;
    const file = path.join(cacheDir, `sandbox-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.mjs`);
    const write = writing.get(file) ?? writeOnce(file, code).finally(() => writing.delete(file));
    writing.set(file, write);
    await write;
    return { module: file, execArgv: NODE_FLAGS };
  } catch (error) {
    if (!warned) console.error(`isopod: cannot bundle the sandbox process, running it through tsx: ${(error as Error).message}`);
    warned = true;
    return sourceEntry();
  }
}

/**
 * Packages stay outside the bundle, imported by absolute URL so the bundle can
 * live anywhere; `import.meta.url` keeps meaning the file it was written in.
 */
const keepPlaces: Plugin = {
  name: "isopod-keep-places",
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("node:")) return { path: args.path, external: true };
      // Resolved from here: the sandbox's packages are the host's (one node_modules).
      return { path: import.meta.resolve(args.path), external: true };
    });
    builder.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      return { contents: source.replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)), loader: "ts" };
    });
  },
};

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [SOURCE],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "silent",
    plugins: [keepPlaces],
    // Built here once, instead of by every sandbox process it starts (see runtime_source.ts).
    define: {
      ISOPOD_PREBUILT_RUNTIME: JSON.stringify(runtimeSource()),
      ISOPOD_PREBUILT_PARTS: JSON.stringify(Object.fromEntries(PART_NAMES.map((name) => [name, partSource(name)]))),
    },
  });
  return result.outputFiles[0]!.text;
}

/** Writes the file unless it is there; bundles of earlier versions go. */
async function writeOnce(file: string, code: string): Promise<void> {
  const there = await stat(file).then(
    () => true,
    () => false,
  );
  if (there) return;
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const name of await readdir(dir)) {
    if (/^sandbox-[0-9a-f]{16}\.mjs$/.test(name)) await rm(path.join(dir, name), { force: true });
  }
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, code, { mode: 0o600 });
  await rename(temporary, file);
}

#!/usr/bin/env node
// The installed `isopod` binary: re-runs cli/main.ts under Node with the flags
// isolated-vm needs (--no-node-snapshot) and tsx for TypeScript, found beside
// this file so that `isopod` works from any folder.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * The Node that runs isopod: this one if it is 22.12 or newer, else the Node 24
 * that npm installed with isopod (the `node` package), so that `isopod` run from
 * a shell whose `node` is older still works.
 */
function nodeBinary() {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major > 22 || (major === 22 && minor >= 12)) return process.execPath;
  let bundled;
  try {
    bundled = createRequire(import.meta.url).resolve("node/bin/node");
  } catch {
    bundled = undefined;
  }
  if (bundled && existsSync(bundled)) return bundled;
  console.error(`isopod: needs Node.js 22.12 or newer, this is ${process.version}; run npm install, which installs Node 24 beside isopod`);
  process.exit(1);
}

const main = fileURLToPath(new URL("./main.ts", import.meta.url));
const tsx = import.meta.resolve("tsx");
const child = spawn(nodeBinary(), ["--no-node-snapshot", "--import", tsx, main, ...process.argv.slice(2)], {
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

#!/usr/bin/env node
// The installed `isopod` binary: re-runs cli/main.ts under Node with the flags
// isolated-vm needs (--no-node-snapshot) and tsx for TypeScript, found beside
// this file so that `isopod` works from any folder.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("./main.ts", import.meta.url));
const tsx = import.meta.resolve("tsx");
const child = spawn(process.execPath, ["--no-node-snapshot", "--import", tsx, main, ...process.argv.slice(2)], {
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

// `npm run bench`: runs every benchmark module in bench/ (each exports `run`),
// or only those named on the command line (`npm run bench -- startup`).

import { readdir } from "node:fs/promises";

const only = process.argv.slice(2);
const files = (await readdir(import.meta.dirname))
  .filter((file) => file.endsWith(".ts") && !file.startsWith("_") && file !== "main.ts" && !file.endsWith(".run.ts"))
  .filter((file) => only.length === 0 || only.includes(file.replace(/\.ts$/, "")))
  .sort();

for (const file of files) {
  console.log(`\n# bench/${file}`);
  const module = (await import(`./${file}`)) as { run: () => Promise<void> };
  await module.run();
}

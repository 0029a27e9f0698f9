// `isopod init <dir>`: writes a new package (deno.json, mod.ts, isopod.d.ts,
// README.md) that passes `deno check` and `deno serve -P` and runs on a host.

import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { isPackageName } from "../../common/names.ts";
import { contextOf } from "../context.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { honoDenoJson, honoModTs } from "./init_hono_template.ts";
import { denoJson, modTs, readme } from "./init_template.ts";

const TYPES_FILE = path.resolve(import.meta.dirname, "../../types/isopod.d.ts");

/** A package name from a folder name: `My Clock` becomes `my-clock`. */
function nameFrom(dir: string): string {
  return path
    .basename(path.resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "");
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw new CliError(EXIT.failed, `cannot use "${dir}": ${(error as Error).message}`);
  }
}

export function registerInitCommand(program: Command): void {
  program
    .command("init")
    .description("write a new package into a new or empty folder")
    .argument("<dir>", "the folder to create")
    .option("--name <name>", "the package name, e.g. @acme/clock (default: the folder's name)")
    .option("--template <template>", "basic, or hono: a Hono app imported through deno.json's import map", "basic")
    .action(async (dir: string, options: { name?: string; template: string }, command: Command) => {
      const ctx = contextOf(command);
      const name = options.name ?? nameFrom(dir);
      if (!isPackageName(name)) {
        throw usageError(`"${name}" is not a valid package name (lower case, digits, . _ -, optionally @scope/); pass --name`);
      }
      if (options.template !== "basic" && options.template !== "hono") throw usageError(`unknown template "${options.template}"; use basic or hono`);
      const hono = options.template === "hono";
      if (!(await isEmptyOrMissing(dir))) throw new CliError(EXIT.failed, `"${dir}" is not empty; pick a new or empty folder`);
      const files: Record<string, string> = {
        "deno.json": hono ? honoDenoJson(name) : denoJson(name),
        "mod.ts": hono ? honoModTs(name) : modTs(name),
        "isopod.d.ts": await readFile(TYPES_FILE, "utf8"),
        "README.md": readme(name, dir),
      };
      await mkdir(dir, { recursive: true });
      for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), text, { flag: "wx" });
      const next = [`deno serve -P ${path.join(dir, "mod.ts")}`, `isopod add ${dir} --start`];
      const width = Math.max(...next.map((line) => line.length)) + 2;
      ctx.out.result({ name, dir: path.resolve(dir), files: Object.keys(files) }, () => [
        `created ${name} in ${dir}: ${Object.keys(files).join(", ")}`,
        "next:",
        `  ${next[0]!.padEnd(width)}# run it under Deno`,
        `  ${next[1]!.padEnd(width)}# run it on a host (isopod serve runs one)`,
      ]);
    });
}

// Package commands: add, start, stop, reload, upgrade, rm, ls, info.

import path from "node:path";
import type { Command } from "commander";
import { packagePath } from "../client.ts";
import { contextOf, type CliContext } from "../context.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { batchEntries, packageDetails, packageLine, packageTable, type PackageAnswer } from "../render.ts";
import { table } from "../output.ts";
import { callWithSteps } from "../step_stream.ts";

const PERMISSIONS = ["net", "env", "read", "write"] as const;

interface AddOptions {
  start?: boolean;
  reload?: boolean;
  grantRequested?: boolean;
  allowNet?: string | true;
  allowEnv?: string | true;
  allowRead?: string | true;
  allowWrite?: string | true;
  env: string[];
  config?: string;
}

/** `--allow-net` is everything; `--allow-net=a,b` is a list, as in Deno. */
function grantOf(options: AddOptions): { grant?: unknown } {
  const flags = { net: options.allowNet, env: options.allowEnv, read: options.allowRead, write: options.allowWrite };
  const given = PERMISSIONS.filter((name) => flags[name] !== undefined);
  if (options.grantRequested) {
    if (given.length > 0) throw usageError(`-P grants what the package requests; leave out --allow-${given[0]}`);
    return { grant: "requested" };
  }
  if (given.length === 0) return {};
  const grant: Record<string, true | string[]> = {};
  for (const name of given) {
    const value = flags[name]!;
    if (value === true || value === "true") {
      grant[name] = true;
      continue;
    }
    const list = value.split(",").map((item) => item.trim()).filter((item) => item !== "");
    if (list.length === 0) throw usageError(`--allow-${name}= needs a value, e.g. --allow-${name}=${name === "net" ? "api.example.com" : name === "env" ? "TZ" : "./data"}`);
    grant[name] = list;
  }
  return { grant };
}

function envOf(pairs: string[]): { env?: Record<string, string> } {
  if (pairs.length === 0) return {};
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw usageError(`--env "${pair}" must look like NAME=value`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { env };
}

function configOf(text: string | undefined): { config?: Record<string, unknown> } {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw usageError(`--config must be a JSON object, e.g. --config '{"greeting":"hi"}'`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw usageError("--config must be a JSON object");
  return { config: value as Record<string, unknown> };
}

/** A URL is fetched by the host; anything else is a folder on the host (relative to here). */
function sourceOf(source: string): { git_url: string } | { path: string } {
  return /^https?:\/\//i.test(source) ? { git_url: source } : { path: path.resolve(source) };
}

async function add(ctx: CliContext, source: string, options: AddOptions): Promise<void> {
  const body = {
    ...sourceOf(source),
    ...(options.start && { start: true }),
    ...(options.reload && { reload: true }),
    ...grantOf(options),
    ...envOf(options.env),
    ...configOf(options.config),
  };
  const pkg = await addWithSteps(ctx, source, body);
  ctx.out.result(pkg, () => `added ${packageLine(pkg)}`);
}

/**
 * The add, its steps on stderr as the host reports them; under --quiet, just the answer.
 * Off a terminal the "still adding" lines go on as well, since a step's line is written when it ends.
 */
async function addWithSteps(ctx: CliContext, source: string, body: Record<string, unknown>): Promise<PackageAnswer> {
  const lines = ctx.out.stepLines();
  if (!lines) return ctx.client.call<PackageAnswer>("POST", "/v1/packages", body);
  try {
    const work = callWithSteps<PackageAnswer>(ctx.client, { method: "POST", route: "/v1/packages", body, key: "package" }, (event) => lines.step(event));
    return await (lines.live ? work : ctx.out.progress(`adding ${source}`, work));
  } finally {
    lines.end();
  }
}

const VERBS = { start: "starting", stop: "stopping", reload: "reloading", upgrade: "upgrading" } as const;

/** One name: the package's route. Several: the batch route, one result per name. */
async function lifecycle(ctx: CliContext, operation: keyof typeof VERBS, names: string[]): Promise<void> {
  if (names.length === 1) {
    const name = names[0]!;
    const pkg = await ctx.out.progress(`${VERBS[operation]} ${name}`, ctx.client.call<PackageAnswer>("POST", `${packagePath(name)}/${operation}`));
    ctx.out.result(pkg, () => packageLine(pkg));
    if (pkg.state === "failed") throw new CliError(EXIT.failed, `${operation} "${name}" left it failed`);
    return;
  }
  const answer = await ctx.out.progress(`${VERBS[operation]} ${names.length} packages`, ctx.client.call("POST", `/v1/batch/${operation}`, { names }));
  const entries = batchEntries(answer);
  ctx.out.result(answer, () => table(["name", "result"], entries.map((e) => [e.name, e.text])));
  const failed = entries.filter((e) => !e.ok);
  if (failed.length > 0) throw new CliError(EXIT.failed, `${operation} failed for ${failed.map((e) => `"${e.name}"`).join(", ")}`, answer);
}

async function remove(ctx: CliContext, names: string[], options: { cascade?: boolean }): Promise<void> {
  const results: unknown[] = [];
  const failures: CliError[] = [];
  for (const name of names) {
    const query = options.cascade ? "?cascade=true" : "";
    try {
      results.push(await ctx.out.progress(`deleting ${name}`, ctx.client.call("DELETE", `${packagePath(name)}${query}`)));
      if (!ctx.out.json) ctx.out.result(null, () => `deleted ${name}`);
    } catch (error) {
      if (!(error instanceof CliError) || names.length === 1) throw error;
      failures.push(error);
      ctx.out.note(`isopod: cannot delete "${name}": ${error.message}`);
    }
  }
  if (ctx.out.json) ctx.out.result(names.length === 1 ? results[0] : { items: results }, () => []);
  if (failures.length > 0) throw new CliError(Math.max(...failures.map((f) => f.exitCode)) as CliError["exitCode"], `${failures.length} of ${names.length} deletes failed`);
}

export function registerPackageCommands(program: Command): void {
  const collect = (value: string, previous: string[]) => [...previous, value];
  program
    .command("add")
    .description("add a package from a GitHub URL or a folder on the host")
    .argument("<source>", "https://github.com/OWNER/REPO/tree/REF/PATH, or a folder (relative to here)")
    .option("--start", "start it once added")
    .option("--reload", "read the source again even if the package is there")
    .option("-P, --grant-requested", "grant what its deno.json requests (as deno -P)")
    .option("--allow-net [hosts]", "grant network access: all, or --allow-net=host1,host2")
    .option("--allow-env [names]", "grant environment variables: all, or --allow-env=A,B")
    .option("--allow-read [paths]", "grant reading its folder and data: all, or --allow-read=./assets")
    .option("--allow-write [paths]", "grant writing its data folder: all, or --allow-write=./data")
    .option("--env <NAME=value>", "set a variable in the package's Deno.env (repeatable)", collect, [])
    .option("--config <json>", "the package's ctx.config, a JSON object")
    .action((source: string, options: AddOptions, command: Command) => add(contextOf(command), source, options));

  for (const operation of Object.keys(VERBS) as (keyof typeof VERBS)[]) {
    program
      .command(operation)
      .description(`${operation} packages (several names run as one batch)`)
      .argument("<names...>", "package names")
      .action((names: string[], _options: unknown, command: Command) => lifecycle(contextOf(command), operation, names));
  }

  program
    .command("rm")
    .alias("delete")
    .description("delete packages (their history stays)")
    .argument("<names...>", "package names")
    .option("--cascade", "delete the packages that depend on them too")
    .action((names: string[], options: { cascade?: boolean }, command: Command) => remove(contextOf(command), names, options));

  program
    .command("ls")
    .alias("list")
    .description("list packages")
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const answer = await ctx.client.call<{ items: PackageAnswer[] }>("GET", "/v1/packages");
      ctx.out.result(answer, () => packageTable(answer.items));
    });

  program
    .command("info")
    .description("show one package")
    .argument("<name>", "package name")
    .action(async (name: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const pkg = await ctx.client.call<PackageAnswer>("GET", packagePath(name));
      ctx.out.result(pkg, () => packageDetails(pkg));
    });
}

// Liota's control commands, one line each: `load|unload|reload|update|delete NAME...`,
// `stat met|col|th|pkg NAME`, `list pkg|res|th`. Parsed here and run against a
// small target, so the pipe (or any other line-based door) only moves text.

import type { PackageRecord } from "../../db/index.ts";
import type { Actor } from "../lifecycle/audit.ts";
import { badRequest, IsopodError, messageOf } from "../errors.ts";
import { isPackageName } from "../../common/names.ts";
import type { LifecycleOperations } from "../lifecycle/operations.ts";

/** Who the audit log names for what arrives through the pipe. */
export const PIPE_ACTOR: Actor = { name: "pipe" };

const VERBS = {
  load: "start",
  unload: "stop",
  reload: "reload",
  update: "upgrade",
  delete: "delete",
} as const;
type Verb = keyof typeof VERBS;

// Liota accepts the long words too.
const STATS: Record<string, "met" | "col" | "th" | "pkg"> = {
  met: "met", metrics: "met", col: "col", collection: "col", collection_threads: "col",
  th: "th", threads: "th", pkg: "pkg", package: "pkg",
};
const LISTS: Record<string, "pkg" | "res" | "th"> = {
  pkg: "pkg", packages: "pkg", res: "res", resources: "res", th: "th", threads: "th",
};

/** At most this many names in one line: a batch, not a flood. */
const MAX_NAMES = 100;

export type ControlCommand =
  | { kind: "lifecycle"; verb: Verb; names: string[] }
  | { kind: "stat"; what: "met" | "col" | "th" }
  | { kind: "stat"; what: "pkg"; name: string }
  | { kind: "list"; what: "pkg" | "res" | "th" };

/** What the commands act on and read from. */
export interface ControlTarget {
  operations: LifecycleOperations;
  /** Isolates alive now. */
  isolates(): number;
  /** Rows the host has collected: audit entries and captured log lines. */
  collected(): { auditEntries: number; logLines: number };
  /** Resources published with ctx.registry.provide (`<package>/<name>`); absent where there is no registry. */
  resources?: () => Promise<string[]>;
  uptimeMs(): number;
}

/** Parses one line; a malformed line is a 400-style error that says what is expected. */
export function parseCommand(line: string): ControlCommand {
  const [word = "", ...rest] = line.trim().split(/\s+/);
  const verb = word.toLowerCase();
  if (Object.hasOwn(VERBS, verb)) {
    const names = [...new Set(rest.join(" ").split(/[\s,]+/).filter((n) => n !== ""))];
    if (names.length === 0) throw badRequest(`"${verb}" needs at least one package name`);
    if (names.length > MAX_NAMES) throw badRequest(`"${verb}" takes at most ${MAX_NAMES} names, got ${names.length}`);
    const invalid = names.find((n) => !isPackageName(n));
    if (invalid !== undefined) throw badRequest(`"${invalid.slice(0, 80)}" is not a valid package name`);
    return { kind: "lifecycle", verb: verb as Verb, names };
  }
  if (verb === "stat") {
    const what = STATS[rest[0]?.toLowerCase() ?? ""];
    if (what === undefined) throw badRequest(`"stat" takes met, col, th or pkg NAME`);
    if (what !== "pkg") {
      if (rest.length !== 1) throw badRequest(`"stat ${rest[0]}" takes no names`);
      return { kind: "stat", what };
    }
    const name = rest[1];
    if (name === undefined || rest.length !== 2 || !isPackageName(name)) throw badRequest(`"stat pkg" takes exactly one package name`);
    return { kind: "stat", what, name };
  }
  if (verb === "list") {
    const what = LISTS[rest[0]?.toLowerCase() ?? ""];
    if (what === undefined || rest.length !== 1) throw badRequest(`"list" takes pkg, res or th`);
    return { kind: "list", what };
  }
  throw badRequest(`unknown command "${word.slice(0, 40)}"; expected load, unload, reload, update, delete, stat or list`);
}

const describe = (record: PackageRecord): string => `${record.name} ${record.version} ${record.state}`;

function countByState(records: PackageRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records) if (r.state !== "deleted") counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${state} ${n}`).join(", ") || "none";
}

/** The outcome of one command: what to log, and whether all of it succeeded. */
export interface ControlResult {
  ok: boolean;
  lines: string[];
  /** The first failure, for the audit log. */
  error?: IsopodError;
}

async function runLifecycle(target: ControlTarget, verb: Verb, names: string[]): Promise<ControlResult> {
  const operation = VERBS[verb];
  const lines: string[] = [];
  let error: IsopodError | undefined;
  // One after another, in the order given: a later name may depend on an earlier one.
  for (const name of names) {
    try {
      if (operation === "delete") {
        await target.operations.delete(name, PIPE_ACTOR);
        lines.push(`${verb} "${name}": ok, deleted`);
      } else {
        const record = await target.operations[operation](name, PIPE_ACTOR);
        lines.push(`${verb} "${name}": ok, ${record.state}`);
      }
    } catch (failure) {
      const e = failure instanceof IsopodError ? failure : new IsopodError("internal", messageOf(failure));
      error ??= e;
      lines.push(`${verb} "${name}": failed (${e.code}): ${e.message}`);
    }
  }
  return { ok: error === undefined, lines, ...(error && { error }) };
}

function statHost(target: ControlTarget, what: "met" | "col" | "th"): ControlResult {
  if (what === "met") {
    const records = target.operations.list();
    const memory = process.memoryUsage();
    const mib = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;
    return {
      ok: true,
      lines: [
        `stat met: packages ${records.filter((r) => r.state !== "deleted").length} (${countByState(records)}); ` +
          `isolates ${target.isolates()}; host rss ${mib(memory.rss)}, heap ${mib(memory.heapUsed)}; uptime ${Math.round(target.uptimeMs() / 1000)} s`,
      ],
    };
  }
  if (what === "col") {
    const { auditEntries, logLines } = target.collected();
    return { ok: true, lines: [`stat col: audit entries ${auditEntries}, captured log lines ${logLines}`] };
  }
  return { ok: true, lines: [`stat th: ${target.isolates()} isolate(s) running`] };
}

function statPackage(target: ControlTarget, name: string): ControlResult {
  const record = target.operations.list().find((r) => r.name === name && r.state !== "deleted");
  if (!record) {
    return { ok: false, lines: [`stat pkg "${name}": not installed`], error: new IsopodError("not_found", `package "${name}" is not installed`) };
  }
  const error = record.error ? `; error ${record.error.code}: ${record.error.message}` : "";
  return { ok: true, lines: [`stat pkg "${record.name}": ${record.version} ${record.state} (desired ${record.desiredState})${error}`] };
}

/** At most this many resources named in one `list res` line. */
const MAX_LISTED = 200;

async function runList(target: ControlTarget, what: "pkg" | "res" | "th"): Promise<ControlResult> {
  const records = target.operations.list().filter((r) => r.state !== "deleted");
  if (what === "pkg") return { ok: true, lines: [`list pkg: ${records.map(describe).join("; ") || "none"}`] };
  if (what === "th") {
    const running = records.filter((r) => r.state === "running" || r.state === "stopping");
    return { ok: true, lines: [`list th: ${running.map((r) => r.name).join(", ") || "none"}`] };
  }
  if (!target.resources) {
    const error = new IsopodError("not_supported", "list res: this host has no registry");
    return { ok: false, lines: [error.message], error };
  }
  const names = (await target.resources()).sort();
  const more = names.length > MAX_LISTED ? ` and ${names.length - MAX_LISTED} more` : "";
  return { ok: true, lines: [`list res: ${names.slice(0, MAX_LISTED).join(", ") || "none"}${more}`] };
}

/** Runs one parsed command. Never throws: failures are in the result. */
export async function runCommand(target: ControlTarget, command: ControlCommand): Promise<ControlResult> {
  if (command.kind === "lifecycle") return runLifecycle(target, command.verb, command.names);
  if (command.kind === "stat") return command.what === "pkg" ? statPackage(target, command.name) : statHost(target, command.what);
  return runList(target, command.what);
}

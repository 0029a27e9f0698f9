// Commands that read what the host keeps: logs (-f follows), stat, ops, res.

import type { Command } from "commander";
import { packagePath } from "../client.ts";
import { contextOf, type CliContext } from "../context.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { flatten, table, timeText } from "../output.ts";

interface LogEntry {
  ts: unknown;
  level: string;
  message: string;
}

const logLine = (entry: LogEntry) => `${timeText(entry.ts)} ${String(entry.level).padEnd(5)} ${entry.message}`;

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw usageError(`${flag} "${value}" must be a whole number above 0`);
  return n;
}

/** Reads server-sent events, calling `onEvent` for each complete one, until the stream ends. */
async function readEvents(body: ReadableStream<Uint8Array>, onEvent: (event: string, data: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n/g, "\n");
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length > 0) onEvent(event, data.join("\n"));
    }
  }
}

async function follow(ctx: CliContext, name: string, tail: number | undefined): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const query = `?follow=true${tail ? `&tail=${tail}` : ""}`;
    const response = await ctx.client.send("GET", `${packagePath(name)}/logs${query}`, undefined, { signal: controller.signal });
    if (!response.ok || !response.body) {
      await ctx.client.call("GET", `${packagePath(name)}/logs`); // throws the host's error, in one line
      throw new CliError(EXIT.failed, `cannot follow the log of "${name}": the host answered ${response.status}`);
    }
    await readEvents(response.body, (event, data) => {
      if (event !== "log") return;
      const entry = JSON.parse(data) as LogEntry;
      ctx.out.streamItem(entry, logLine(entry));
    });
  } catch (error) {
    // Ctrl-C ends following: that is success, not an error.
    if (!controller.signal.aborted) throw error;
  } finally {
    process.removeListener("SIGINT", stop);
    process.removeListener("SIGTERM", stop);
  }
}

export function registerObserveCommands(program: Command): void {
  program
    .command("logs")
    .description("show a package's captured console output")
    .argument("<name>", "package name")
    .option("-f, --follow", "keep printing new lines until Ctrl-C")
    .option("-n, --lines <count>", "how many recent lines")
    .action(async (name: string, options: { follow?: boolean; lines?: string }, command: Command) => {
      const ctx = contextOf(command);
      const tail = positiveInt("--lines", options.lines);
      if (options.follow) return follow(ctx, name, tail);
      const answer = await ctx.client.call<{ items: LogEntry[] } | LogEntry[]>("GET", `${packagePath(name)}/logs${tail ? `?tail=${tail}` : ""}`);
      const items = Array.isArray(answer) ? answer : answer.items;
      ctx.out.result(answer, () => (items.length > 0 ? items.map(logLine) : `no log lines for "${name}" yet`));
    });

  program
    .command("stat")
    .description("show the host's statistics")
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const answer = await ctx.client.call("GET", "/v1/stats");
      ctx.out.result(answer, () => flatten(answer));
    });

  program
    .command("res")
    .description("show the registry's resources: provider, the packages that may use each, calls and latency")
    .option("--provider <name>", "only the resources of this package")
    .action(async (options: { provider?: string }, command: Command) => {
      const ctx = contextOf(command);
      const route = `/v1/resources${options.provider ? `?provider=${encodeURIComponent(options.provider)}` : ""}`;
      const answer = await ctx.client.call<{ items: Record<string, unknown>[] }>("GET", route);
      const ms = (value: unknown) => (typeof value === "number" ? value.toFixed(2) : "-");
      ctx.out.result(answer, () =>
        answer.items.length === 0
          ? "no resources are provided"
          : table(
              ["resource", "users", "calls", "errors", "timeouts", "p50 ms", "p99 ms"],
              answer.items.map((r) => [
                String(r.resource),
                (r.users as string[]).join(",") || "-",
                String(r.calls),
                String(r.errors),
                String(r.timeouts),
                ms(r.p50Ms),
                ms(r.p99Ms),
              ]),
            ),
      );
    });

  program
    .command("ops")
    .description("show the audit log: who did what, when, and how it ended")
    .option("--package <name>", "only operations on this package")
    .option("-n, --limit <count>", "how many, newest first")
    .action(async (options: { package?: string; limit?: string }, command: Command) => {
      const ctx = contextOf(command);
      const query = new URLSearchParams();
      if (options.package) query.set("package", options.package);
      const limit = positiveInt("--limit", options.limit);
      if (limit) query.set("limit", String(limit));
      const route = `/v1/operations${query.size > 0 ? `?${query}` : ""}`;
      const answer = await ctx.client.call<{ items: Record<string, unknown>[] }>("GET", route);
      ctx.out.result(answer, () =>
        table(
          ["at", "actor", "operation", "package", "result", "ms", "error"],
          answer.items.map((op) => {
            const error = op.error as { code?: string; message?: string } | null;
            return [timeText(op.at), String(op.actor), String(op.operation), String(op.package ?? "-"), String(op.result), String(op.durationMs ?? "-"), error ? `${error.code}: ${error.message}` : ""];
          }),
        ),
      );
    });
}

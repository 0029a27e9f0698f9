// `isopod sql "SELECT ..."`: a read-only query on the local host's database
// (its data folder), printed as a table, or as JSON for scripts.

import path from "node:path";
import type { Command } from "commander";
import { contextOf } from "../context.ts";
import { CliError, EXIT } from "../errors.ts";
import { table } from "../output.ts";

interface SqlOptions {
  data?: string;
  maxRows: string;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  return String(value).replace(/\r?\n/g, "\\n");
}

async function runSql(command: Command, sql: string, options: SqlOptions): Promise<void> {
  const ctx = contextOf(command);
  const maxRows = Number(options.maxRows);
  if (!Number.isSafeInteger(maxRows) || maxRows < 1) throw new CliError(EXIT.usage, `--max-rows "${options.maxRows}" is not a positive whole number`);
  const dataDir = path.resolve(options.data ?? process.env.ISOPOD_DATA ?? ".isopod");
  // Loaded only here: the other commands never need SQLite.
  const { QueryRefused, runUserQuery } = await import("../../runtime/index.ts");
  let result;
  try {
    result = runUserQuery(path.join(dataDir, "isopod.db"), sql, { maxRows });
  } catch (error) {
    if (error instanceof QueryRefused) throw new CliError(EXIT.usage, error.message, { error: { code: "query_refused", message: error.message } });
    throw error;
  }
  ctx.out.result(result, () => table(result.columns, result.rows.map((row) => result.columns.map((column) => cellText(row[column])))));
  if (result.truncated) ctx.out.note(`isopod: only the first ${maxRows} rows are shown (--max-rows)`);
  else ctx.out.note(`(${result.rows.length} row${result.rows.length === 1 ? "" : "s"})`);
}

export function registerSqlCommand(program: Command): void {
  program
    .command("sql <query>")
    .description("run a read-only SQL query on the local host's database (views: docs/sql.md); a write is refused")
    .option("--data <folder>", "the host's data folder (default: ISOPOD_DATA, else ./.isopod)")
    .option("--max-rows <n>", "print at most this many rows", "10000")
    .action((query: string, options: SqlOptions, command: Command) => runSql(command, query, options));
}

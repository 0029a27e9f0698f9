// The `isopod` command: every operation of the HTTP API, `serve` to run a
// host and `init` to start a package. Exit codes are in cli/errors.ts.

import { Command, CommanderError } from "commander";
import { registerFleetCommands } from "./commands/fleet.ts";
import { registerInitCommand } from "./commands/init.ts";
import { registerObserveCommands } from "./commands/observe.ts";
import { registerPackageCommands } from "./commands/packages.ts";
import { registerSqlCommand } from "./commands/sql.ts";
import { registerTokenCommands } from "./commands/tokens.ts";
import { CliContext } from "./context.ts";
import { CliError, EXIT } from "./errors.ts";

const program = new Command();
program
  .name("isopod")
  .description("A package host for long-running servers.\nTalks to ISOPOD_URL with ISOPOD_TOKEN, or to the local host in ./.isopod.")
  .version(`0.1.0 (Node.js ${process.version})`)
  .option("--url <url>", "the host's URL (default: ISOPOD_URL, else http://127.0.0.1:8787)")
  .option("--token <token>", "an API token (default: ISOPOD_TOKEN, else ./.isopod/admin-token)")
  .option("--json", "print the API's JSON answer, for scripts")
  .option("-q, --quiet", "no progress or remarks on stderr")
  .option("--timeout <seconds>", "give up waiting for an answer after this long (default 600)")
  .showSuggestionAfterError()
  .exitOverride()
  .addHelpText(
    "after",
    "\nExit codes: 0 ok, 1 the operation failed, 2 usage (or the host said the input is wrong),\n" +
      "3 cannot reach the host, 4 no token or not allowed.",
  );

program
  .command("serve")
  .description("run a host (configured by ISOPOD_HOST, ISOPOD_PORT, ISOPOD_DATA, ISOPOD_ADMIN_TOKEN)")
  // Loaded only here: the host (SQLite, isolated-vm) is heavy for a client command.
  .action(async () => (await import("./serve.ts")).serveCommand());
registerPackageCommands(program);
registerObserveCommands(program);
registerTokenCommands(program);
registerFleetCommands(program);
registerInitCommand(program);
registerSqlCommand(program);

// Deno's `--allow-net` alone means "all": keep commander from taking the next word as its value.
const argv = process.argv.map((arg) => (/^--allow-(net|env|read|write)$/.test(arg) ? `${arg}=true` : arg));

try {
  await program.parseAsync(argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed its message (or the help) already.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    const cliError = error instanceof CliError ? error : new CliError(EXIT.failed, `unexpected error: ${(error as Error).stack ?? String(error)}`);
    const options = program.opts<{ json?: boolean; quiet?: boolean }>();
    const body = cliError.body ?? { error: { code: "cli", message: cliError.message } };
    new CliContext(options).out.error(cliError.message, body);
    process.exitCode = cliError.exitCode;
  }
}

// The `isopod` command: subcommands on top of commander.

import { Command } from "commander";
import { serveCommand } from "./serve.ts";

const program = new Command();
program.name("isopod").description("A package host for long-running servers");
program
  .command("serve")
  .description("run a host (configured by ISOPOD_HOST, ISOPOD_PORT, ISOPOD_DATA, ISOPOD_ADMIN_TOKEN)")
  .action(serveCommand);

await program.parseAsync(process.argv);

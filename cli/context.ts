// What every command gets: the output, and a client for the host built
// lazily from the global options (so `init` never needs a host).

import type { Command } from "commander";
import { Client, resolveConnection } from "./client.ts";
import { Output } from "./output.ts";

export interface GlobalOptions {
  url?: string;
  token?: string;
  timeout?: string;
  json?: boolean;
  quiet?: boolean;
}

export class CliContext {
  readonly out: Output;
  readonly #options: GlobalOptions;
  #client: Client | undefined;

  constructor(options: GlobalOptions) {
    this.#options = options;
    this.out = new Output(options);
  }

  get client(): Client {
    return (this.#client ??= new Client(resolveConnection(this.#options)));
  }
}

export const contextOf = (command: Command): CliContext => new CliContext(command.optsWithGlobals<GlobalOptions>());

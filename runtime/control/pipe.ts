// Liota's control channel: a named pipe (mode 0600) in the data folder. Each
// line written to it is a command; results go to the host log and the audit log.

import { execFileSync } from "node:child_process";
import { chmodSync, closeSync, constants, fstatSync, openSync, rmSync } from "node:fs";
import net from "node:net";
import { StringDecoder } from "node:string_decoder";
import type { Audit } from "../lifecycle/audit.ts";
import { parseCommand, PIPE_ACTOR, runCommand, type ControlCommand, type ControlTarget } from "./commands.ts";
import { messageOf } from "../errors.ts";

/** A longer line is dropped whole: commands are short. */
const MAX_LINE = 4096;
/** Lines waiting while a slow command runs; more are dropped (and logged). */
const MAX_QUEUE = 1000;

export interface ControlPipeOptions {
  target: ControlTarget;
  audit: Audit;
  /** The host log, one line per call. */
  log: (line: string) => void;
}

const shown = (line: string) => JSON.stringify(line.length > 200 ? `${line.slice(0, 200)}...` : line);

function auditNameOf(command: ControlCommand): { operation: string; pkg: string | null; params: Record<string, unknown> } {
  if (command.kind === "lifecycle") {
    return { operation: `pipe.${command.verb}`, pkg: command.names.length === 1 ? command.names[0]! : null, params: { names: command.names } };
  }
  const name = command.what === "pkg" && command.kind === "stat" ? command.name : null;
  return { operation: `pipe.${command.kind}`, pkg: name, params: { what: command.what } };
}

/** Makes a fresh FIFO at `file` and opens it without blocking. */
function openFifo(file: string): number {
  // Whatever is there (a FIFO left by a killed host, a file, a link) is replaced; a folder is not.
  rmSync(file, { force: true });
  execFileSync("mkfifo", ["-m", "600", file], { stdio: "ignore" });
  chmodSync(file, 0o600);
  // Read-write, so that opening never waits for a writer and the last writer leaving is no end of file.
  const fd = openSync(file, constants.O_RDWR | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0));
  if (!fstatSync(fd).isFIFO()) {
    closeSync(fd);
    throw new Error("it is not a named pipe");
  }
  return fd;
}

export class ControlPipe {
  readonly path: string;
  readonly #options: ControlPipeOptions;
  readonly #socket: net.Socket;
  readonly #decoder = new StringDecoder("utf8");
  #buffer = "";
  #discarding = false;
  readonly #queue: string[] = [];
  #pump: Promise<void> | undefined;
  #closed = false;

  private constructor(file: string, fd: number, options: ControlPipeOptions) {
    this.path = file;
    this.#options = options;
    // A socket on the FIFO's descriptor reads through the event loop, never holding a libuv thread.
    this.#socket = new net.Socket({ fd, readable: true, writable: false });
    this.#socket.on("data", (chunk: Buffer) => this.#receive(this.#decoder.write(chunk)));
    this.#socket.on("error", (error) => options.log(`control pipe read failed: ${error.message}`));
  }

  /** Creates the pipe and starts reading; undefined (and a log line) where the system has no FIFOs. */
  static open(file: string, options: ControlPipeOptions): ControlPipe | undefined {
    try {
      return new ControlPipe(file, openFifo(file), options);
    } catch (error) {
      options.log(`no control pipe: cannot create ${file}: ${messageOf(error)}`);
      return undefined;
    }
  }

  #receive(text: string): void {
    const parts = (this.#buffer + text).split("\n");
    this.#buffer = parts.pop()!;
    for (const part of parts) {
      if (this.#discarding) this.#discarding = false;
      else if (part.length > MAX_LINE) this.#tooLong();
      else this.#enqueue(part.replace(/\r$/, ""));
    }
    if (this.#buffer.length > MAX_LINE) {
      // Keep memory bounded: drop what came so far and the rest of the line when it arrives.
      if (!this.#discarding) this.#tooLong();
      this.#discarding = true;
      this.#buffer = "";
    }
  }

  #tooLong(): void {
    this.#options.log(`control pipe: ignored a line longer than ${MAX_LINE} characters`);
  }

  #enqueue(line: string): void {
    if (line.trim() === "" || line.trimStart().startsWith("#")) return;
    if (this.#queue.length >= MAX_QUEUE) {
      this.#options.log(`control pipe: dropped ${shown(line)}: ${MAX_QUEUE} lines are already waiting`);
      return;
    }
    this.#queue.push(line);
    this.#pump ??= this.#drainQueue().finally(() => (this.#pump = undefined));
  }

  async #drainQueue(): Promise<void> {
    while (this.#queue.length > 0 && !this.#closed) await this.#handle(this.#queue.shift()!);
  }

  /** Runs one line; every outcome is logged and audited, nothing escapes. */
  async #handle(line: string): Promise<void> {
    const { audit, log, target } = this.#options;
    let command: ControlCommand;
    try {
      command = parseCommand(line);
    } catch (error) {
      log(`control pipe: ignored ${shown(line)}: ${messageOf(error)}`);
      await audit.record(PIPE_ACTOR, "pipe", null, { line: line.slice(0, 200) }, () => Promise.reject(error)).catch(() => undefined);
      return;
    }
    const { operation, pkg, params } = auditNameOf(command);
    await audit
      .record(PIPE_ACTOR, operation, pkg, params, async () => {
        const result = await runCommand(target, command);
        for (const out of result.lines) log(out);
        if (result.error) throw result.error;
      })
      .catch(() => undefined);
  }

  /** Resolves once every line read so far has been handled. */
  async idle(): Promise<void> {
    while (this.#pump) await this.#pump;
  }

  /** Stops reading, lets the running command finish, drops the rest and removes the pipe. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
    await this.#pump;
    if (this.#queue.length > 0) this.#options.log(`control pipe: closed with ${this.#queue.length} line(s) not run`);
    // A writer that finds no pipe gets an error at once; one that finds a pipe with no reader would wait forever.
    rmSync(this.path, { force: true });
  }
}

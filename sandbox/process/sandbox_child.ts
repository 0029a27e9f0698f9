// One sandbox process as the control plane sees it: forked with a clean
// environment, a batched channel, a deadline to get ready, a heartbeat, and
// the story of how it ended.

import { spawn, type ChildProcess } from "node:child_process";
import type { DataPlaneAddress } from "../dataplane/index.ts";
import type { Socket } from "node:net";
import { childEntry } from "./sandbox_entry.ts";
import type { Wire } from "./wire.ts";
import { WireChannel } from "./wire_channel.ts";
import { WirePort } from "./wire_port.ts";
import { WireStreams } from "./wire_streams.ts";

/** What the sandbox process inherits from the host's environment: nothing secret (tokens stay in the control plane). */
const INHERITED_ENV = ["PATH", "HOME", "TMPDIR", "TZ", "LANG", "SYSTEMROOT"];
/** Bytes of the process's stderr kept to explain a crash. */
const STDERR_TAIL = 4096;

export interface ChildOptions {
  /** Where the bundled entry is written (sandbox_entry.ts); without it, the entry runs through tsx. */
  cacheDir: string | undefined;
  /** Where the process serves `/pkg` itself (the data plane); none without it. */
  pkg?: DataPlaneAddress | undefined;
  /** The memory limit of the isolates it keeps ready (host/warm_isolates.ts); none without it. */
  warmMemoryMb?: number | undefined;
}

export interface ChildTimings {
  /** How long the process may take to load and say it is ready. */
  startTimeoutMs: number;
  /** How often the control plane pings it once ready. */
  heartbeatMs: number;
  /** Silence past which the process is taken for stuck and killed. */
  heartbeatTimeoutMs: number;
}

/** How a sandbox process ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why, in words: the V8 fatal error, the heartbeat, the signal or the exit code. */
  message: string;
}

function childEnv(pkg: DataPlaneAddress | undefined, warmMemoryMb: number | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of INHERITED_ENV) if (process.env[key] !== undefined) env[key] = process.env[key];
  if (pkg) Object.assign(env, { ISOPOD_PKG_HOST: pkg.hostname, ISOPOD_PKG_PORT: String(pkg.port) });
  if (pkg?.reusePort) env.ISOPOD_PKG_REUSE_PORT = "1";
  if (warmMemoryMb !== undefined) env.ISOPOD_WARM_MEMORY_MB = String(warmMemoryMb);
  return env;
}

export class SandboxChild {
  readonly port: WirePort;
  readonly streams: WireStreams;
  /** Resolves with the pid once the process said it is ready; rejects if it ended first. */
  readonly ready: Promise<number>;
  /** Resolves once the process has ended (or could not be started), however it ended. Never rejects. */
  readonly exited: Promise<ChildExit>;
  /** Where the process serves `/pkg`, once ready (if it does). */
  pkgUrl: string | undefined;
  readonly #timings: ChildTimings;
  readonly #onMessage: (message: Wire) => void;
  #process: ChildProcess | undefined;
  #channel: WireChannel | undefined;
  /** Batches posted before the process was spawned (the entry is bundled first). */
  #early: { batch: Wire[]; done: () => void }[] | undefined = [];
  #started!: (pid: number) => void;
  #ended!: (exit: ChildExit) => void;
  #isReady = false;
  #lastHeard = Date.now();
  #startDeadline: NodeJS.Timeout;
  #heartbeat: NodeJS.Timeout | undefined;
  #killedBecause: string | undefined;
  #fatal: string | undefined;
  #stderr = "";

  constructor(onMessage: (message: Wire) => void, timings: ChildTimings, options: ChildOptions) {
    this.#timings = timings;
    this.#onMessage = onMessage;
    this.port = new WirePort((batch, done) => this.#write(batch, done));
    this.streams = new WireStreams((message) => this.port.post(message));
    this.exited = new Promise((resolve) => (this.#ended = resolve));
    this.ready = new Promise<number>((resolve, reject) => {
      this.#started = resolve;
      void this.exited.then((exit) => reject(new Error(exit.message)));
    });
    this.ready.catch(() => undefined);
    this.#startDeadline = setTimeout(() => this.kill(`the sandbox process was not ready within ${timings.startTimeoutMs} ms`), timings.startTimeoutMs);
    void this.exited.then(() => {
      clearTimeout(this.#startDeadline);
      clearInterval(this.#heartbeat);
      for (const { done } of this.#early ?? []) done();
      this.#early = undefined;
      this.#channel?.close();
      this.port.clear();
    });
    void this.#spawn(options);
  }

  async #spawn(options: ChildOptions): Promise<void> {
    const entry = await childEntry(options.cacheDir);
    if (this.#killedBecause !== undefined) return this.#ended({ code: null, signal: null, message: this.#killedBecause });
    let child: ChildProcess;
    try {
      // fd 3 is the channel (wire_channel.ts): a socket pair, both ways.
      child = spawn(process.execPath, [...entry.execArgv, entry.module], {
        stdio: ["ignore", "inherit", "pipe", "pipe"],
        env: childEnv(options.pkg, options.warmMemoryMb),
      });
    } catch (error) {
      return this.#ended({ code: null, signal: null, message: `the sandbox process could not be started: ${(error as Error).message}` });
    }
    this.#process = child;
    child.once("exit", (code, signal) => this.#ended({ code, signal, message: this.#describe(code, signal) }));
    child.once("error", (error) => {
      // A process that could not be spawned never fires "exit".
      if (child.pid === undefined) this.#ended({ code: null, signal: null, message: `the sandbox process could not be started: ${error.message}` });
    });
    if (child.pid === undefined) return;
    child.stderr!.on("data", (chunk: Buffer) => this.#onStderr(chunk));
    const socket = child.stdio[3] as Socket;
    socket.on("error", () => undefined); // the process's end is what counts, and "exit" reports it
    this.#channel = new WireChannel(socket, { batch: (batch) => this.#receive(batch), broken: (why) => this.kill(why) });
    const early = this.#early ?? [];
    this.#early = undefined;
    for (const { batch, done } of early) this.#write(batch, done);
  }

  #receive(batch: Wire[]): void {
    this.#lastHeard = Date.now();
    if (!Array.isArray(batch)) return;
    for (const message of batch) {
      if (message?.k === "ready" && !this.#isReady) {
        if (typeof message.pkgUrl === "string") this.pkgUrl = message.pkgUrl;
        this.#onReady();
      }
      else if (message?.k === "fatal") this.#fatal = String(message.message);
      else if (message && !this.streams.handle(message)) this.#onMessage(message);
    }
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  #write(batch: Wire[], done: () => void): void {
    if (this.#early) this.#early.push({ batch, done });
    else if (this.#channel) this.#channel.write(batch, done);
    else done();
  }

  #onReady(): void {
    this.#isReady = true;
    clearTimeout(this.#startDeadline);
    this.#heartbeat = setInterval(() => this.#beat(), this.#timings.heartbeatMs).unref();
    this.#started(this.#process?.pid ?? 0);
  }

  #beat(): void {
    const silent = Date.now() - this.#lastHeard;
    if (silent > this.#timings.heartbeatTimeoutMs) this.kill(`the sandbox process did not answer for ${silent} ms`);
    else this.port.post({ k: "ping" });
  }

  #onStderr(chunk: Buffer): void {
    process.stderr.write(chunk);
    this.#stderr = (this.#stderr + chunk.toString()).slice(-STDERR_TAIL);
  }

  #describe(code: number | null, signal: NodeJS.Signals | null): string {
    if (this.#fatal !== undefined) return `the sandbox process ended after a V8 fatal error: ${this.#fatal}`;
    if (this.#killedBecause !== undefined) return this.#killedBecause;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const last = this.#stderr.trim().split("\n").filter(Boolean).at(-1);
    return `the sandbox process ${how}${last ? ` (${last.slice(0, 300)})` : ""}`;
  }

  /** Kills the process at once; `because` becomes the reason its packages are given. */
  kill(because?: string): void {
    this.#killedBecause ??= because ?? "the sandbox process was killed";
    const child = this.#process;
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }

  /** Asks the process to dispose its isolates and exit; kills it if it has not within `graceMs`. */
  async close(graceMs: number): Promise<void> {
    if (this.#isReady) {
      this.port.post({ k: "close" });
      this.port.flush();
    }
    const timer = setTimeout(() => this.kill("the sandbox process was closed"), this.#isReady ? graceMs : 0);
    await this.exited;
    clearTimeout(timer);
  }
}

// A real NATS server with JetStream for fleet tests and benchmarks: on a free
// loopback port with its own data folder; stopped (and restartable) by the test.

import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { freePort } from "./clients/deno_serve.ts";

export interface NatsServer {
  url: string;
  port: number;
  /** Stops the server (SIGTERM, then SIGKILL); its data folder stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder. */
  start(): Promise<void>;
}


function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Starts `nats-server -js` on loopback; `after` registers its stop (a test's `t.after`). */
export async function startNats(dataDir: string, after: (fn: () => Promise<void>) => void): Promise<NatsServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = "";
  const server: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawn("nats-server", ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", dataDir], { stdio: ["ignore", "pipe", "pipe"] });
      child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const deadline = Date.now() + 10_000;
      while (!(await accepting(port))) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`nats-server did not start on ${port}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      const running = child;
      if (!running) return;
      child = undefined;
      const timer = setTimeout(() => running.kill("SIGKILL"), 5_000);
      running.kill("SIGTERM");
      await exited(running);
      clearTimeout(timer);
    },
  };
  await server.start();
  after(() => server.stop());
  return server;
}

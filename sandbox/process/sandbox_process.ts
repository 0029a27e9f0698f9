// The sandbox process: hosts a LocalSandbox and serves the control plane's
// calls over the channel on fd 3. Started by ProcessSandbox, never by hand.

import { Socket } from "node:net";
import { onCatastrophicError } from "../host/ivm.ts";
import { LocalSandbox } from "../local_sandbox.ts";
import type { DroppedLogEvent, SandboxEvent } from "../sandbox.ts";
import { PLAIN_METHODS, type Wire, type WireRequest, type WireResponse } from "./wire.ts";
import { WireChannel } from "./wire_channel.ts";
import { WirePort, wireErrorOf } from "./wire_port.ts";
import { WireStreams } from "./wire_streams.ts";

/** Console text posted but not yet taken by the channel past which lines are dropped (and counted) instead of queued. */
const MAX_LOG_BYTES_IN_FLIGHT = 4 * 1024 * 1024;
/** How long a dying process waits for its last messages to leave. */
const LAST_WORDS_MS = 1_000;

/** Set by the control plane (sandbox_child.ts): the host's default memory limit, for the isolates kept ready. */
const warmMemoryMb = Number(process.env.ISOPOD_WARM_MEMORY_MB);
const sandbox = new LocalSandbox(Number.isSafeInteger(warmMemoryMb) && warmMemoryMb > 0 ? { warmIsolates: { memoryMb: warmMemoryMb } } : {});
let socket: Socket;
try {
  socket = new Socket({ fd: 3, readable: true, writable: true });
} catch (error) {
  throw new Error(`sandbox_process.ts runs only as the child of a ProcessSandbox, with its channel on fd 3: ${(error as Error).message}`);
}
const channel = new WireChannel(socket, {
  batch: (batch) => {
    for (const message of batch) handle(message);
  },
  broken: () => parentGone(),
});
const port = new WirePort((batch, done) => {
  const logBytes = logBytesOf(batch);
  channel.write(batch, () => {
    logBytesInFlight -= logBytes;
    done();
    if (logBytesInFlight < MAX_LOG_BYTES_IN_FLIGHT / 2) reportDropped();
  });
});
const streams = new WireStreams((message) => port.post(message));
const aborts = new Map<number, AbortController>();
let logBytesInFlight = 0;
/** Console lines dropped while the channel was backed up, by instance. */
const dropped = new Map<string, DroppedLogEvent>();

function logBytesOf(batch: Wire[]): number {
  let bytes = 0;
  for (const message of batch) if (message.k === "event" && message.event.type === "log") bytes += message.event.message.length;
  return bytes;
}

/**
 * Passes an event on. A package that prints faster than the control plane takes lines in
 * would grow this process's queue without bound: past a bound its lines are dropped here,
 * and counted as the host counts lines over the rate.
 */
function forward(event: SandboxEvent): void {
  if (event.type === "log") {
    if (logBytesInFlight >= MAX_LOG_BYTES_IN_FLIGHT) {
      const entry = dropped.get(event.instanceId) ?? { type: "dropped", instanceId: event.instanceId, packageName: event.packageName, lines: 0, bytes: 0 };
      entry.lines++;
      entry.bytes += event.message.length;
      dropped.set(event.instanceId, entry);
      return;
    }
    logBytesInFlight += event.message.length;
  }
  port.post({ k: "event", event });
}

function reportDropped(): void {
  for (const event of dropped.values()) port.post({ k: "event", event });
  dropped.clear();
}

function die(): void {
  process.kill(process.pid, "SIGKILL");
}

/** Sends the last messages, then ends the process; `process.exit` could wait forever on a stuck isolate thread. */
function dieSoon(): void {
  port.flush(die);
  setTimeout(die, LAST_WORDS_MS);
}

async function request(id: number, instanceId: string, wire: WireRequest): Promise<void> {
  const controller = wire.signal ? new AbortController() : undefined;
  if (controller) aborts.set(id, controller);
  try {
    const response = await sandbox.request(instanceId, {
      head: wire.head,
      // Opened before the first await: the body's chunks follow this call in the same batch.
      body: wire.body === null ? null : streams.receive(wire.body),
      ...(controller && { signal: controller.signal }),
    });
    const { status, statusText, headers, body } = response;
    const answer = (value: WireResponse) => port.post({ k: "done", id, value });
    if (body === null || body instanceof Uint8Array) answer({ status, statusText, headers, body });
    else streams.send(body, (stream) => answer({ status, statusText, headers, body: { stream } }));
  } finally {
    aborts.delete(id);
  }
}

async function call(id: number, method: string, args: unknown[]): Promise<void> {
  try {
    if (method === "request") return await request(id, args[0] as string, args[1] as WireRequest);
    if (!(PLAIN_METHODS as readonly string[]).includes(method)) throw new Error(`unknown sandbox method "${method}"`);
    const fn = sandbox[method as (typeof PLAIN_METHODS)[number]] as (...args: unknown[]) => Promise<unknown>;
    port.post({ k: "done", id, value: await fn.apply(sandbox, args) });
  } catch (error) {
    port.post({ k: "fail", id, error: wireErrorOf(error) });
  }
}

function handle(message: Wire): void {
  if (streams.handle(message)) return;
  switch (message.k) {
    case "call":
      void call(message.id, message.method, message.args);
      return;
    case "abort":
      aborts.get(message.id)?.abort();
      return;
    case "ping":
      port.post({ k: "pong" });
      return;
    case "close":
      // The control plane kills the process if this exit hangs on a stuck isolate thread.
      void sandbox.close().finally(() => port.flush(() => process.exit(0)));
      return;
  }
}

/** The control plane is gone (it exited or was killed): no orphan sandbox stays behind. */
function parentGone(): void {
  void sandbox.close().finally(die);
}

sandbox.onEvent(forward);
onCatastrophicError((message) => {
  port.post({ k: "fatal", message });
  dieSoon();
});
socket.on("end", parentGone);
socket.on("close", parentGone);
socket.on("error", parentGone);
/** The data plane, when the control plane asked for one: its URL goes out with `ready`. */
async function listenPkg(): Promise<string | undefined> {
  const hostname = process.env.ISOPOD_PKG_HOST;
  const pkgPort = Number(process.env.ISOPOD_PKG_PORT);
  if (hostname === undefined || !Number.isInteger(pkgPort)) return undefined;
  try {
    return await sandbox.listen({ hostname, port: pkgPort, reusePort: process.env.ISOPOD_PKG_REUSE_PORT === "1" });
  } catch (error) {
    console.error(`isopod: the sandbox process cannot serve /pkg on ${hostname}:${pkgPort}: ${(error as Error).message}`);
    return undefined;
  }
}

const pkgUrl = await listenPkg();
port.post({ k: "ready", pid: process.pid, ...(pkgUrl !== undefined && { pkgUrl }) });

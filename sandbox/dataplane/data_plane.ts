// The data plane: an HTTP server in the process that runs the isolates, so a
// /pkg request goes from the socket to the isolate without the control plane.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChunkSource, SandboxRequest, SandboxResponse } from "../sandbox.ts";
import { ClientGone } from "./client_gone.ts";
import { errorHead, failureAnswer, notRunning, type ErrorAnswer } from "./failure_answer.ts";
import { decodePkgName, splitPkgPath } from "./pkg_path.ts";
import { RequestCounter, type RequestCounts } from "./request_counts.ts";
import { checkHead, writeAnswer } from "./write_answer.ts";

export interface DataPlaneAddress {
  hostname: string;
  port: number;
  /** Share the port with other sandbox processes (SO_REUSEPORT: the kernel spreads connections); see sandbox_pool.ts. */
  reusePort?: boolean;
}

type Send = (instanceId: string, request: SandboxRequest) => Promise<SandboxResponse>;

const INTERNAL_SERVER_ERROR = "Internal Server Error";

function chunkSourceOf(incoming: IncomingMessage): ChunkSource {
  const chunks = incoming[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return {
    read: async () => {
      const { done, value } = await chunks.next();
      return done ? null : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    },
    cancel: () => void chunks.return?.(),
  };
}

function headersOf(incoming: IncomingMessage): [string, string][] {
  const raw = incoming.rawHeaders;
  const headers: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) headers.push([raw[i]!.toLowerCase(), raw[i + 1]!]);
  return headers;
}

export class DataPlane {
  readonly #send: Send;
  readonly #counter: RequestCounter;
  /** Which isolate answers each package's requests; a package absent here is not running. */
  readonly #routes = new Map<string, string>();
  readonly #inFlight = new Map<string, number>();
  readonly #settledWaiters = new Map<string, (() => void)[]>();
  #server: Server | undefined;

  constructor(send: Send, counts: (counts: RequestCounts) => void) {
    this.#send = send;
    this.#counter = new RequestCounter(counts);
  }

  /** Starts serving `/pkg/{name}/*`; resolves with the URL it listens on. */
  async listen(address: DataPlaneAddress): Promise<string> {
    const server = createServer({ keepAliveTimeout: 5_000 }, (incoming, outgoing) => void this.#handle(incoming, outgoing));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ port: address.port, host: address.hostname, reusePort: address.reusePort === true }, () => resolve());
    });
    this.#server = server;
    const { port } = server.address() as AddressInfo;
    return `http://${address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname}:${port}`;
  }

  /** Points a package at an isolate, or (null) takes it off: its new requests get 503 at once. */
  route(packageName: string, instanceId: string | null): void {
    if (instanceId === null) this.#routes.delete(packageName);
    else this.#routes.set(packageName, instanceId);
  }

  /** An isolate ended: whatever package it answered for is not running any more. */
  forget(instanceId: string): void {
    for (const [name, id] of this.#routes) if (id === instanceId) this.#routes.delete(name);
  }

  /** Resolves when the isolate has no request in flight here, or after `ms`. */
  settled(instanceId: string, ms: number): Promise<void> {
    if (!this.#inFlight.get(instanceId)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#settledWaiters.set(instanceId, [...(this.#settledWaiters.get(instanceId) ?? []), done]);
    });
  }

  async close(): Promise<void> {
    this.#counter.flush();
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #begin(instanceId: string): () => void {
    this.#inFlight.set(instanceId, (this.#inFlight.get(instanceId) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const left = (this.#inFlight.get(instanceId) ?? 1) - 1;
      if (left > 0) return void this.#inFlight.set(instanceId, left);
      this.#inFlight.delete(instanceId);
      for (const done of this.#settledWaiters.get(instanceId) ?? []) done();
      this.#settledWaiters.delete(instanceId);
    };
  }

  async #handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const target = incoming.url ?? "/";
    const query = target.indexOf("?");
    const pathname = query === -1 ? target : target.slice(0, query);
    if (!/^\/pkg\/./.test(pathname)) return this.#error(outgoing, { status: 404, code: "not_found", message: `no route for ${pathname}: this port serves /pkg/{name}/*` });
    const split = splitPkgPath(pathname);
    const decoded = decodePkgName(split.nameParam);
    if ("problem" in decoded) return this.#error(outgoing, { status: 400, code: "bad_request", message: decoded.problem });
    const { name } = decoded;
    const instanceId = this.#routes.get(name);
    if (instanceId === undefined) return this.#error(outgoing, notRunning(name), name);
    const method = incoming.method ?? "GET";
    const gone = new ClientGone();
    const end = this.#begin(instanceId);
    outgoing.once("close", () => {
      end();
      if (!outgoing.writableFinished) gone.abort();
    });
    let answer: SandboxResponse;
    try {
      answer = await this.#send(instanceId, {
        head: {
          method,
          url: `http://${incoming.headers.host ?? "localhost"}${split.path}${query === -1 ? "" : target.slice(query)}`,
          headers: headersOf(incoming),
          remoteAddr: { transport: "tcp", hostname: incoming.socket.remoteAddress ?? "127.0.0.1", port: incoming.socket.remotePort ?? 0 },
        },
        body: method === "GET" || method === "HEAD" ? null : chunkSourceOf(incoming),
        signal: gone,
      });
    } catch (error) {
      const failure = failureAnswer(name, error);
      return failure ? this.#error(outgoing, failure, name) : this.#internal(outgoing, name);
    }
    try {
      checkHead(answer);
    } catch {
      if (answer.body !== null && !(answer.body instanceof Uint8Array)) answer.body.cancel("invalid response head");
      return this.#internal(outgoing, name);
    }
    this.#counter.count(name, answer.status);
    await writeAnswer(outgoing, answer, method).catch(() => outgoing.destroy());
  }

  #error(outgoing: ServerResponse, answer: ErrorAnswer, name?: string): void {
    if (name !== undefined) this.#counter.count(name, answer.status);
    const { body, headers } = errorHead(answer);
    outgoing.writeHead(answer.status, headers.flat()).end(body);
  }

  /** What `deno serve` answers when the handler fails: 500, this body, and no content type. */
  #internal(outgoing: ServerResponse, name: string): void {
    this.#counter.count(name, 500);
    outgoing.writeHead(500, ["content-length", String(INTERNAL_SERVER_ERROR.length)]).end(INTERNAL_SERVER_ERROR);
  }
}

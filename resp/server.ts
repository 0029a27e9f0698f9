// The Redis door's TCP listener (ISOPOD_RESP_PORT): one RespConnection per
// client, within the per-address and overall connection bounds.

import net, { type AddressInfo, type Socket } from "node:net";
import type { Host } from "../runtime/index.ts";
import { encodeReply, errorReply } from "./codec.ts";
import { AddressGate } from "./address_gate.ts";
import { RespConnection } from "./connection.ts";
import { DEFAULT_RESP_LIMITS, type RespLimits } from "./limits.ts";
import { newSession, type RespServices } from "./session.ts";

export interface RunningRespServer {
  /** `redis://host:port`, as printed at start. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface RespListenOptions {
  hostname: string;
  /** 0 picks a free port. */
  port: number;
  /** Bounds; each defaults as in DEFAULT_RESP_LIMITS. */
  limits?: Partial<RespLimits>;
}

/** The host's services the door needs. */
export function respServicesOf(host: Host): RespServices {
  return {
    authenticate: (token) => host.tokens.authenticate(token),
    operations: host.operations,
    auditLog: host.store.operations,
  };
}

function refuse(socket: Socket, message: string): void {
  socket.on("error", () => socket.destroy());
  socket.end(encodeReply(errorReply("ERR", message), 2));
  setTimeout(() => socket.destroy(), 1_000).unref();
}

export function listenResp(services: RespServices, options: RespListenOptions): Promise<RunningRespServer> {
  const limits = { ...DEFAULT_RESP_LIMITS, ...options.limits };
  const gate = new AddressGate(limits.maxConnectionsPerAddress);
  const sockets = new Set<Socket>();
  let nextId = 1;
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    const address = socket.remoteAddress ?? "unknown";
    if (sockets.size >= limits.maxConnections) return refuse(socket, `too many connections (max ${limits.maxConnections})`);
    if (!gate.enter(address)) return refuse(socket, `too many connections from ${address} (max ${limits.maxConnectionsPerAddress})`);
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      gate.leave(address);
    });
    new RespConnection(socket, newSession(nextId++, address), { services, limits });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: options.hostname, port: options.port }, () => {
      const info = server.address() as AddressInfo;
      const hostname = info.family === "IPv6" ? `[${info.address}]` : info.address;
      resolve({
        url: `redis://${hostname}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}

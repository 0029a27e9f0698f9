// Serves the API on a TCP port with @hono/node-server.

import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import type { Host } from "../runtime/index.ts";
import { createApp } from "./app.ts";

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export function listen(host: Host, options: { hostname: string; port: number }): Promise<RunningServer> {
  const app = createApp(host);
  return new Promise((resolve, reject) => {
    let server: ServerType | undefined = undefined;
    server = serve({ fetch: app.fetch, hostname: options.hostname, port: options.port }, (info: AddressInfo) => {
      const hostname = info.family === "IPv6" ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${hostname}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server!.close(() => done());
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once("error", reject);
  });
}

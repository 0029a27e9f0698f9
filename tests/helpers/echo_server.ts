// A loopback HTTP server for fetch tests: echoes requests, redirects, gzips,
// streams and stalls on demand. Closed when the test ends.

import http from "node:http";
import type { AddressInfo } from "node:net";
import type { TestContext } from "node:test";
import zlib from "node:zlib";

export interface EchoServer {
  /** `127.0.0.1:<port>` */
  host: string;
  url: string;
  /** How many requests reached it, by path. */
  hits: Map<string, number>;
}

function handle(request: http.IncomingMessage, response: http.ServerResponse, body: Buffer): void {
  const url = new URL(request.url ?? "/", "http://x");
  switch (url.pathname) {
    case "/hello":
      response.writeHead(200, { "content-type": "text/plain" }).end(`hello ${url.search}`);
      return;
    case "/echo":
      response.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({ method: request.method, type: request.headers["content-type"] ?? null, mine: request.headers["x-mine"] ?? null, body: body.toString() }),
      );
      return;
    case "/redirect":
      response.writeHead(302, { location: "/hello?from=redirect" }).end("moved");
      return;
    case "/json":
      response.writeHead(200, { "content-type": "application/json" }).end('{"n":[1,2,3]}');
      return;
    case "/gzip":
      response.writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip" }).end(zlib.gzipSync("unzipped by fetch"));
      return;
    case "/stream": {
      response.writeHead(200, { "content-type": "text/plain" });
      let n = 0;
      const timer = setInterval(() => {
        response.write(`chunk ${n}\n`);
        if (++n === 5) {
          clearInterval(timer);
          response.end();
        }
      }, 5);
      return;
    }
    case "/big": {
      const size = Number(url.searchParams.get("bytes") ?? "0");
      response.writeHead(200, { "content-type": "application/octet-stream" });
      response.end(Buffer.alloc(Math.min(size, 256 * 1024 * 1024), 97));
      return;
    }
    case "/slow":
      setTimeout(() => response.writeHead(200).end("late"), 2_000).unref();
      return;
    default:
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
  }
}

export async function useEchoServer(t: TestContext, options: { redirectTo?: string } = {}): Promise<EchoServer> {
  const hits = new Map<string, number>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = new URL(request.url ?? "/", "http://x").pathname;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      if (path === "/away" && options.redirectTo) {
        response.writeHead(302, { location: options.redirectTo }).end();
        return;
      }
      handle(request, response, Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { host: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}`, hits };
}

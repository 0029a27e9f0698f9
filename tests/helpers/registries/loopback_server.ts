// What every registry-shaped test server shares: an HTTP server on a free
// loopback port, its URL once listening, the requests it saw, and a close that cuts open connections.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export abstract class LoopbackServer {
  url = "";
  /** One line per request seen (each server decides the line), for tests that count calls. */
  readonly requests: string[] = [];
  readonly #server = createServer((req, res) => void this.handle(req, res));

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;

  listen(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.listen(0, "127.0.0.1", () => {
        this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  /** Requests seen so far that match `pattern`. */
  count(pattern: RegExp): number {
    return this.requests.filter((line) => pattern.test(line)).length;
  }
}

// A raw Redis-protocol socket for tests: sends any bytes, and reads the door's
// replies with ioredis's own RESP2/RESP3 decoder (written by Redis, not here).

import net from "node:net";
import type { TestContext } from "node:test";
import { Decoder, RESP_TYPES } from "ioredis/built/resp/decoder.js";

/** A reply as ioredis's decoder gives it; an error reply is `{ error: message }`. */
export type WireReply = unknown;

export interface RespWire {
  socket: net.Socket;
  send(bytes: string | Buffer): void;
  /** Sends one command as a RESP array of bulk strings. */
  command(...args: (string | Buffer)[]): void;
  /** The next reply, waiting at most `timeoutMs`. */
  reply(timeoutMs?: number): Promise<WireReply>;
  /** Resolves when the door has closed the connection (rejects after `timeoutMs`). */
  closed(timeoutMs?: number): Promise<void>;
  /** Replies received and not yet taken. */
  readonly pending: WireReply[];
}

/** The bytes of a command as every Redis client sends it. */
export function encodeCommand(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const data = typeof arg === "string" ? Buffer.from(arg, "utf8") : arg;
    parts.push(Buffer.from(`$${data.length}\r\n`), data, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** A decoder of replies; `buffers` keeps bulk strings as Buffers (MessagePack answers). */
export function replyDecoder(onReply: (reply: WireReply) => void, options: { buffers?: boolean } = {}): { write(chunk: Buffer): void } {
  const mapping = options.buffers ? { [RESP_TYPES.BLOB_STRING]: Buffer } : {};
  return new Decoder({
    onReply,
    onErrorReply: (error: Error) => onReply({ error: error.message }),
    onPush: () => {},
    getTypeMapping: () => mapping,
  });
}

export async function openWire(t: TestContext, port: number, options: { buffers?: boolean } = {}): Promise<RespWire> {
  const socket = net.connect({ host: "127.0.0.1", port });
  t.after(() => void socket.destroy());
  socket.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const pending: WireReply[] = [];
  let wake: (() => void) | undefined;
  const decoder = replyDecoder((reply) => {
    pending.push(reply);
    wake?.();
  }, options);
  socket.on("data", (chunk: Buffer) => decoder.write(chunk));
  let isClosed = false;
  socket.on("close", () => {
    isClosed = true;
    wake?.();
  });
  const until = async (ready: () => boolean, timeoutMs: number, what: string) => {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
  };
  return {
    socket,
    pending,
    send: (bytes) => void socket.write(bytes),
    command: (...args) => void socket.write(encodeCommand(args)),
    reply: async (timeoutMs = 5_000) => {
      await until(() => pending.length > 0 || isClosed, timeoutMs, "reply");
      if (pending.length === 0) throw new Error("the connection closed before a reply");
      return pending.shift();
    },
    closed: (timeoutMs = 5_000) => until(() => isClosed, timeoutMs, "close"),
  };
}

// Answers to clients as RESP values, and their bytes in RESP2 or RESP3 (maps
// and null differ; RESP2 sends a map as a flat array). Nothing here can break framing.

export type Reply =
  | { kind: "simple"; value: string }
  | { kind: "error"; value: string }
  | { kind: "integer"; value: number }
  | { kind: "bulk"; value: string | Uint8Array }
  | { kind: "null" }
  | { kind: "array"; items: Reply[] }
  | { kind: "map"; entries: [Reply, Reply][] };

export type Protocol = 2 | 3;

export const OK: Reply = { kind: "simple", value: "OK" };
export const simple = (value: string): Reply => ({ kind: "simple", value });
export const bulk = (value: string | Uint8Array): Reply => ({ kind: "bulk", value });
export const integer = (value: number): Reply => ({ kind: "integer", value });
export const array = (items: Reply[]): Reply => ({ kind: "array", items });
export const NULL: Reply = { kind: "null" };

/** An error reply: `code` first, as clients match on it (`NOAUTH`, `ERR`, `forbidden`). */
export const errorReply = (code: string, message: string): Reply => ({ kind: "error", value: `${code} ${message}` });

/** A map from string keys, for HELLO. */
export function stringMap(entries: Record<string, Reply>): Reply {
  return { kind: "map", entries: Object.entries(entries).map(([key, value]) => [bulk(key), value]) };
}

/** Simple strings and errors are one line: CR and LF (say, in a quoted command name) become spaces. */
function line(text: string): string {
  return text.replace(/[\r\n]/g, " ");
}

function parts(reply: Reply, protocol: Protocol, out: (Buffer | string)[]): void {
  switch (reply.kind) {
    case "simple":
      out.push(`+${line(reply.value)}\r\n`);
      return;
    case "error":
      out.push(`-${line(reply.value)}\r\n`);
      return;
    case "integer":
      out.push(`:${Math.trunc(reply.value)}\r\n`);
      return;
    case "bulk": {
      const data = typeof reply.value === "string" ? Buffer.from(reply.value, "utf8") : Buffer.from(reply.value.buffer, reply.value.byteOffset, reply.value.byteLength);
      out.push(`$${data.length}\r\n`, data, "\r\n");
      return;
    }
    case "null":
      out.push(protocol === 3 ? "_\r\n" : "$-1\r\n");
      return;
    case "array":
      out.push(`*${reply.items.length}\r\n`);
      for (const item of reply.items) parts(item, protocol, out);
      return;
    case "map":
      out.push(protocol === 3 ? `%${reply.entries.length}\r\n` : `*${reply.entries.length * 2}\r\n`);
      for (const [key, value] of reply.entries) {
        parts(key, protocol, out);
        parts(value, protocol, out);
      }
      return;
  }
}

/** The bytes of one reply in the connection's protocol. */
export function encodeReply(reply: Reply, protocol: Protocol): Buffer {
  const out: (Buffer | string)[] = [];
  parts(reply, protocol, out);
  return Buffer.concat(out.map((part) => (typeof part === "string" ? Buffer.from(part, "utf8") : part)));
}

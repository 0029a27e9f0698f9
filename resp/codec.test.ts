// The Redis door's codec: commands survive any split into chunks, bounds are
// checked on announced lengths, garbage is only ever a protocol error, and
// every reply decodes (with ioredis's decoder) to exactly what was encoded.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { encodeReply, RequestDecoder, RespProtocolError, type Protocol, type Reply } from "./codec.ts";
import { encodeCommand, replyDecoder } from "../tests/helpers/clients/resp_wire.ts";

/** Feeds `bytes` in chunks cut at `cuts`, taking commands after each chunk as the door does. */
function decodeInChunks(decoder: RequestDecoder, bytes: Buffer, cuts: number[]): Buffer[][] {
  const commands: Buffer[][] = [];
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...points, bytes.length]) {
    decoder.push(bytes.subarray(from, to));
    from = to;
    for (let command = decoder.next(); command !== undefined; command = decoder.next()) commands.push(command);
  }
  return commands;
}

const arg = fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes));
const command = fc.array(arg, { minLength: 1, maxLength: 16 });

describe("RequestDecoder", () => {
  test("any pipeline of commands decodes to the same arguments, however the bytes are cut", () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), (commands, cuts) => {
        const bytes = Buffer.concat(commands.map(encodeCommand));
        const decoded = decodeInChunks(new RequestDecoder(), bytes, cuts);
        assert.deepEqual(decoded, commands);
      }),
      { numRuns: 300 },
    );
  });

  test("an inline command is split on spaces and tabs", () => {
    const word = fc.stringMatching(/^[A-Za-z0-9._{}":-]{1,20}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 16 }), fc.array(fc.nat(), { maxLength: 5 }), (words, cuts) => {
        const decoded = decodeInChunks(new RequestDecoder(), Buffer.from(`${words.join(" \t ")}\r\n`), cuts);
        assert.deepEqual(decoded.map((args) => args.map(String)), [words]);
      }),
    );
  });

  test("a bulk length over the bound is refused from its header, before any of its bytes arrive", () => {
    const fresh = new RequestDecoder({ maxBulkBytes: 1024 * 1024 });
    fresh.push(Buffer.from(`*2\r\n$4\r\nPING\r\n$${1024 * 1024 + 1}\r\n`));
    assert.throws(() => fresh.next(), (error: Error) => error instanceof RespProtocolError && /1048577 bytes in a bulk string is over the bound of 1048576/.test(error.message));
  });

  test("exactly the bound is accepted", () => {
    const decoder = new RequestDecoder({ maxBulkBytes: 1024 * 1024 });
    const payload = Buffer.alloc(1024 * 1024, 0x61);
    decoder.push(encodeCommand(["x", payload]));
    assert.equal(decoder.next()![1]!.length, 1024 * 1024);
  });

  for (const [name, bytes, message] of [
    ["too many arguments", "*17\r\n", /17 arguments in a command is over the bound of 16/],
    ["a nested array", "*2\r\n*1\r\n", /nested arrays are not commands/],
    ["a length that is not a number", "*2\r\n$x\r\n", /expected '\$<length>', got "\$x"/],
    ["a null bulk string", "*1\r\n$-1\r\n", /a null bulk string is not an argument/],
    ["a bulk string longer than announced", "*1\r\n$2\r\nabc\r\n", /longer than its announced length/],
    ["a header line without end", `*${"1".repeat(70_000)}`, /a line is longer than 65536 bytes/],
    ["an inline line without end", "x".repeat(70_000), /a line is longer than 65536 bytes/],
  ] as const) {
    test(`${name} is a protocol error`, () => {
      const decoder = new RequestDecoder();
      decoder.push(Buffer.from(bytes));
      assert.throws(() => decoder.next(), (error: Error) => error instanceof RespProtocolError && message.test(error.message));
    });
  }

  test("random bytes only ever give commands within the bounds or a protocol error, and never buffer past a line", () => {
    const limits = { maxBulkBytes: 64, maxArgs: 4, maxLineBytes: 32 };
    const garbage = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc.array(fc.constantFrom("*", "$", "2", "-1", "\r\n", "\n", "PING", " ", "99", "\0", "*3\r\n"), { maxLength: 60 }).map((parts) => Buffer.from(parts.join(""))),
    );
    fc.assert(
      fc.property(garbage, fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
        const decoder = new RequestDecoder(limits);
        try {
          for (const args of decodeInChunks(decoder, Buffer.from(bytes), cuts)) {
            assert.ok(args.length >= 1 && args.length <= limits.maxArgs);
            for (const a of args) assert.ok(a.length <= limits.maxBulkBytes);
          }
          assert.ok(decoder.pendingBytes <= limits.maxLineBytes + limits.maxBulkBytes + 2, `pending ${decoder.pendingBytes}`);
        } catch (error) {
          if (!(error instanceof RespProtocolError)) throw error;
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

/** A reply tree and the value ioredis's decoder must give for it. */
const text = fc.string({ unit: "grapheme", maxLength: 40 });
const oneLine = (value: string) => value.replace(/[\r\n]/g, " ");
function replyArb(protocol: Protocol): fc.Arbitrary<[Reply, unknown]> {
  const { tree } = fc.letrec<{ tree: [Reply, unknown]; leaf: [Reply, unknown] }>((tie) => ({
    leaf: fc.oneof(
      text.map((v): [Reply, unknown] => [{ kind: "simple", value: v }, oneLine(v)]),
      text.map((v): [Reply, unknown] => [{ kind: "error", value: `ERR ${v}` }, { error: oneLine(`ERR ${v}`) }]),
      fc.integer().map((v): [Reply, unknown] => [{ kind: "integer", value: v }, v]),
      text.map((v): [Reply, unknown] => [{ kind: "bulk", value: v }, v]),
      fc.constant<[Reply, unknown]>([{ kind: "null" }, null]),
    ),
    tree: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      tie("leaf"),
      fc.array(tie("tree"), { maxLength: 4 }).map((items): [Reply, unknown] => [{ kind: "array", items: items.map(([r]) => r) }, items.map(([, v]) => v)]),
      fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), tie("leaf")), { selector: ([key]) => key, maxLength: 4 }).map((entries): [Reply, unknown] => [
        { kind: "map", entries: entries.map(([key, [value]]) => [{ kind: "bulk", value: key }, value]) },
        protocol === 3 ? Object.fromEntries(entries.map(([key, [, value]]) => [key, value])) : entries.flatMap(([key, [, value]]) => [key, value]),
      ]),
    ),
  }));
  return tree;
}

for (const protocol of [2, 3] as const) {
  test(`encodeReply in RESP${protocol}: every reply decodes with ioredis's decoder to exactly one equal value`, () => {
    fc.assert(
      fc.property(replyArb(protocol), ([reply, expected]) => {
        // An error inside an array is a value there, not a failed command; ioredis gives it as an Error object.
        if (reply.kind !== "error" && JSON.stringify(reply).includes('"kind":"error"')) return;
        const got: unknown[] = [];
        replyDecoder((value) => got.push(value)).write(encodeReply(reply, protocol));
        assert.deepEqual(got, [expected]);
      }),
      { numRuns: 500 },
    );
  });
}

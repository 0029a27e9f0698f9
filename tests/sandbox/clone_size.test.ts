// measureClone against the implementation it replaced (kept here as the
// reference): the same bytes, the same refusal, the same getters read in the same order, on random values.

import assert from "node:assert/strict";
import { test } from "node:test";
import { CloneBoundError, ENTRY, OBJECT, isShared, leafBytes, measureClone, membersOf, type CloneBounds } from "../../sandbox/isolate/core/clone_size.ts";

/** The general walk as it was before the fast paths, over the same helpers: the reference. */
function referenceMeasure(value: unknown, bounds: CloneBounds): number {
  const seen = new Set<object>();
  const stack: [unknown, number][] = [[value, 0]];
  let bytes = 0;
  const add = (n: number) => {
    bytes += n;
    if (bytes > bounds.maxBytes) throw new CloneBoundError("too_large", `it is larger than ${bounds.maxBytes} bytes`);
  };
  while (stack.length > 0) {
    const [item, nesting] = stack.pop()!;
    if (typeof item === "object" && item !== null && isShared(item)) {
      throw new CloneBoundError("shared_memory", "a SharedArrayBuffer would be shared, not copied");
    }
    const leaf = leafBytes(item);
    if (leaf !== undefined) {
      add(leaf);
      continue;
    }
    const object = item as object;
    if (seen.has(object)) continue;
    seen.add(object);
    if (nesting >= bounds.maxNesting) throw new CloneBoundError("too_deep", `it nests objects more than ${bounds.maxNesting} deep`);
    const members = membersOf(object, bounds.maxBytes - bytes, bounds.maxBytes);
    add(OBJECT + members.length * ENTRY);
    for (const member of members) stack.push([member, nesting + 1]);
  }
  return bytes;
}

/** A small deterministic generator, so that a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 2246822519) + 0x9e3779b9) >>> 0;
    return state / 2 ** 32;
  };
}

/** A random value of plain objects, arrays and the other kinds a clone knows, with shared parts, cycles and logged getters. */
function valueOf(next: () => number, log: string[], depth: number, pool: object[]): unknown {
  const pick = Math.floor(next() * (depth > 6 ? 6 : 17));
  switch (pick) {
    case 0: return Math.floor(next() * 1000);
    case 1: return "x".repeat(Math.floor(next() * 40));
    case 2: return next() < 0.5 ? null : undefined;
    case 3: return BigInt(Math.floor(next() * 1e9));
    case 4: return next() < 0.5;
    case 5: return pool.length > 0 && next() < 0.5 ? pool[Math.floor(next() * pool.length)] : Symbol.iterator === undefined ? 0 : () => 1;
    case 6: case 7: case 8: {
      const object: Record<string, unknown> = next() < 0.2 ? Object.create(null) : {};
      pool.push(object);
      const count = Math.floor(next() * 5);
      for (let i = 0; i < count; i++) {
        const child = valueOf(next, log, depth + 1, pool);
        if (next() < 0.2) Object.defineProperty(object, `g${i}`, { enumerable: true, get: () => (log.push(`g${i}@${depth}`), child) });
        else object[`k${i}`] = child;
      }
      return object;
    }
    case 9: case 10: {
      const array: unknown[] = [];
      pool.push(array);
      const count = Math.floor(next() * 6);
      for (let i = 0; i < count; i++) array.push(valueOf(next, log, depth + 1, pool));
      if (next() < 0.1) array[count + 20] = 1; // sparse
      if (next() < 0.1) Object.setPrototypeOf(array, Object.prototype); // an array that does not look like one
      return array;
    }
    case 11: return new Map([[valueOf(next, log, depth + 1, pool), valueOf(next, log, depth + 1, pool)]]);
    case 12: return new Set([valueOf(next, log, depth + 1, pool)]);
    case 13: return new Uint8Array(Math.floor(next() * 64));
    case 14: return next() < 0.5 ? new Date(0) : /ab+c/g;
    case 15: return new Error("e".repeat(Math.floor(next() * 10)));
    default: return next() < 0.05 ? new Uint8Array(new SharedArrayBuffer(8)) : Object.create(Array.prototype);
  }
}

function outcome(measure: (value: unknown, bounds: CloneBounds) => number, value: unknown, bounds: CloneBounds): string {
  try {
    return `bytes ${measure(value, bounds)}`;
  } catch (error) {
    if (error instanceof CloneBoundError) return `refused ${error.code}: ${error.message}`;
    return `threw ${(error as Error).name}`;
  }
}

test("measureClone gives what the reference gives, getters read in the same order, on 5,000 random values", () => {
  const kinds = new Map<string, number>();
  for (let seed = 1; seed <= 5_000; seed++) {
    const next = random(seed);
    const log: string[] = [];
    const value = valueOf(next, log, 0, []);
    const bounds = { maxBytes: 40 + Math.floor(next() * 3_000), maxNesting: 1 + Math.floor(next() * 8) };
    const expected = outcome(referenceMeasure, value, bounds);
    const expectedLog = log.splice(0);
    const actual = outcome(measureClone, value, bounds);
    assert.equal(actual, expected, `seed ${seed}`);
    assert.deepEqual(log, expectedLog, `getters of seed ${seed}`);
    const kind = actual.split(":")[0]!.replace(/ \d+$/, "");
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  // The values must reach every outcome, or the comparison proves little.
  for (const kind of ["bytes", "refused too_large", "refused too_deep", "refused shared_memory"]) {
    assert.ok((kinds.get(kind) ?? 0) >= 25, `only ${kinds.get(kind) ?? 0} values gave "${kind}": ${JSON.stringify([...kinds])}`);
  }
});

test("measureClone refuses what a clone must not carry, whatever the container", () => {
  const bounds = { maxBytes: 1_000, maxNesting: 3 };
  const code = (value: unknown) => outcome(measureClone, value, bounds).split(":")[0];
  assert.equal(code({ a: [{ b: { c: 1 } }] }), "refused too_deep");
  assert.equal(code(["x".repeat(600)]), "refused too_large");
  assert.equal(code({ shared: new Int32Array(new SharedArrayBuffer(4)) }), "refused shared_memory");
  assert.equal(code(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]))), "refused too_large");
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  // The object (16 + a key and a value, 8 each) and its key "self" (8 + 4 characters of 2 bytes); the value is the object again.
  assert.equal(code(cycle), `bytes ${16 + 2 * 8 + (8 + 4 * 2)}`);
});

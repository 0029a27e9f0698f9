// An estimate of what a structured clone of a value will weigh, made before
// it is copied, so that an oversized or too deeply nested value is refused
// where it was made. Used inside isolates and on the host (plain code, no Node).

/** Why a value may not cross. */
export class CloneBoundError extends Error {
  override name = "RangeError";
  readonly code: "too_large" | "too_deep" | "shared_memory";

  constructor(code: CloneBoundError["code"], message: string) {
    super(message);
    this.code = code;
  }
}

export interface CloneBounds {
  maxBytes: number;
  maxNesting: number;
}

/** Bytes counted for an entry (a member, a number) and for an object itself. */
export const ENTRY = 8;
export const OBJECT = 16;

export function isShared(value: object): boolean {
  if (typeof SharedArrayBuffer === "undefined") return false;
  if (value instanceof SharedArrayBuffer) return true;
  return ArrayBuffer.isView(value) && value.buffer instanceof SharedArrayBuffer;
}

/** Bytes of a leaf value; undefined for an object whose members must be visited. */
export function leafBytes(value: unknown): number | undefined {
  switch (typeof value) {
    case "string":
      return ENTRY + value.length * 2;
    case "bigint":
      return ENTRY + value.toString(16).length;
    case "object":
      if (value === null) return ENTRY;
      // A view copies its whole buffer, not just the part it shows.
      if (ArrayBuffer.isView(value)) return OBJECT + value.buffer.byteLength;
      if (value instanceof ArrayBuffer) return OBJECT + value.byteLength;
      if (value instanceof Date) return OBJECT;
      if (value instanceof RegExp) return OBJECT + value.source.length * 2;
      return undefined;
    default:
      // Functions and symbols are refused by the serializer itself, with its own message.
      return ENTRY;
  }
}

/** An array's elements; one too long for the budget is read key by key (it may be sparse), stopping once over. */
function elementsOf(array: unknown[], budget: number): unknown[] {
  if (array.length * ENTRY <= budget) return Array.from({ length: array.length }, (_, i) => array[i]);
  const elements: unknown[] = [];
  for (const key in array) {
    if (!Object.hasOwn(array, key)) continue;
    elements.push(array[key as unknown as number]);
    if (elements.length * ENTRY > budget) break;
  }
  return elements;
}

/** The members a clone copies: own enumerable string keys and their values, Map entries, Set values. */
export function membersOf(value: object, budget: number, maxBytes: number): unknown[] {
  // A collection's count is known before its members are read: one too big is refused without copying them.
  const tooMany = (count: number) => {
    if (count * ENTRY > budget) throw new CloneBoundError("too_large", `it is larger than ${maxBytes} bytes`);
  };
  if (value instanceof Map) {
    tooMany(value.size * 2);
    return [...value].flat();
  }
  if (value instanceof Set) {
    tooMany(value.size);
    return [...value];
  }
  if (value instanceof Error) return [value.message, value.stack];
  if (Array.isArray(value)) return elementsOf(value, budget);
  const keys = Object.keys(value);
  tooMany(keys.length * 2);
  return [...keys, ...keys.map((key) => (value as Record<string, unknown>)[key])];
}

/** A plain object (its prototype Object.prototype or null) or an ordinary array: what most values are made of, measured without the general checks. */
function plainKind(value: object): "object" | "array" | undefined {
  const proto: unknown = Object.getPrototypeOf(value);
  const array = Array.isArray(value);
  if (proto === Object.prototype || proto === null) return array ? undefined : "object";
  return array && proto === Array.prototype ? "array" : undefined;
}

/**
 * The estimated size of `value` cloned, in bytes. Throws a CloneBoundError
 * past `maxBytes` or `maxNesting`, or for shared memory (a clone of a
 * SharedArrayBuffer would share it). Getters run, as they do in a clone.
 * Members are visited depth first, last first: the same order, getters
 * included, for plain objects and arrays as for everything else.
 */
export function measureClone(value: unknown, bounds: CloneBounds): number {
  const { maxBytes, maxNesting } = bounds;
  let seen: Set<object> | undefined;
  // A stack of values and, beside it, their nesting: no pair allocated per member.
  const items: unknown[] = [value];
  const nestings: number[] = [0];
  let bytes = 0;
  const add = (n: number) => {
    bytes += n;
    if (bytes > maxBytes) throw new CloneBoundError("too_large", `it is larger than ${maxBytes} bytes`);
  };
  const push = (member: unknown, nesting: number) => {
    items.push(member);
    nestings.push(nesting);
  };
  while (items.length > 0) {
    const item = items.pop();
    const nesting = nestings.pop()!;
    if (typeof item !== "object" || item === null) {
      add(leafBytes(item)!);
      continue;
    }
    const kind = plainKind(item);
    if (kind === undefined) {
      if (isShared(item)) throw new CloneBoundError("shared_memory", "a SharedArrayBuffer would be shared, not copied");
      const leaf = leafBytes(item);
      if (leaf !== undefined) {
        add(leaf);
        continue;
      }
    }
    seen ??= new Set();
    if (seen.has(item)) continue;
    seen.add(item);
    if (nesting >= maxNesting) throw new CloneBoundError("too_deep", `it nests objects more than ${maxNesting} deep`);
    if (kind === "object") {
      const keys = Object.keys(item);
      if (keys.length * 2 * ENTRY > maxBytes - bytes) throw new CloneBoundError("too_large", `it is larger than ${maxBytes} bytes`);
      const depth = items.length;
      for (const key of keys) push(key, nesting + 1);
      for (const key of keys) push((item as Record<string, unknown>)[key], nesting + 1);
      add(OBJECT + (items.length - depth) * ENTRY);
      continue;
    }
    if (kind === "array" && (item as unknown[]).length * ENTRY <= maxBytes - bytes) {
      const array = item as unknown[];
      const length = array.length;
      for (let i = 0; i < length; i++) push(array[i], nesting + 1);
      add(OBJECT + length * ENTRY);
      continue;
    }
    const members = membersOf(item, maxBytes - bytes, maxBytes);
    add(OBJECT + members.length * ENTRY);
    for (const member of members) push(member, nesting + 1);
  }
  return bytes;
}

// Headers, written by hand to the Fetch standard: names lowercased, values
// trimmed and checked, iteration sorted and combined, set-cookie kept apart.

import type { HeaderList } from "../core/bridge.ts";

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Deno (ByteString) refuses code points above U+00FF too.
const BAD_VALUE = /[\0\r\n]|[^\x00-\xff]/;
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

export type HeadersInit = Headers | HeaderList | Record<string, string> | Iterable<Iterable<string>>;
type Guard = "none" | "immutable";

function checkName(name: string): string {
  if (!TOKEN.test(name)) throw new TypeError(`Header name is not valid: "${name}"`);
  return name.toLowerCase();
}

function checkValue(value: string): string {
  const trimmed = value.replace(EDGE_WHITESPACE, "");
  if (BAD_VALUE.test(trimmed)) throw new TypeError(`Header value is not valid: "${trimmed}"`);
  return trimmed;
}

/** The header list behind a Headers object, in insertion order (for messages to the host). */
export let headerListOf: (headers: Headers) => HeaderList;
/** Makes a Headers object read-only, as the headers of received requests and fetched responses are. */
export let freezeHeaders: (headers: Headers) => Headers;

export class Headers {
  #list: HeaderList = [];
  #guard: Guard = "none";

  static {
    headerListOf = (headers) => headers.#list;
    freezeHeaders = (headers) => {
      headers.#guard = "immutable";
      return headers;
    };
  }

  constructor(init?: HeadersInit) {
    if (init === undefined || init === null) return;
    if (typeof init !== "object") throw new TypeError("Headers init must be an object or a sequence of pairs");
    if (init instanceof Headers) {
      this.#list = init.#list.map(([name, value]) => [name, value]);
    } else if (Symbol.iterator in init) {
      for (const pair of init as Iterable<Iterable<string>>) {
        const items = [...pair];
        if (items.length !== 2) throw new TypeError("Each header pair must be an iterable [name, value] pair");
        this.append(String(items[0]), String(items[1]));
      }
    } else {
      for (const key of Reflect.ownKeys(init)) {
        if (typeof key === "string") this.append(key, String((init as Record<string, string>)[key]));
      }
    }
  }

  #mutable(): void {
    if (this.#guard === "immutable") throw new TypeError("Headers are immutable.");
  }

  append(name: string, value: string): void {
    const key = checkName(String(name));
    const checked = checkValue(String(value));
    this.#mutable();
    this.#list.push([key, checked]);
  }

  delete(name: string): void {
    const key = checkName(String(name));
    this.#mutable();
    this.#list = this.#list.filter(([each]) => each !== key);
  }

  get(name: string): string | null {
    const key = checkName(String(name));
    const values = this.#list.filter(([each]) => each === key).map(([, value]) => value);
    return values.length === 0 ? null : values.join(", ");
  }

  getSetCookie(): string[] {
    return this.#list.filter(([each]) => each === "set-cookie").map(([, value]) => value);
  }

  has(name: string): boolean {
    const key = checkName(String(name));
    return this.#list.some(([each]) => each === key);
  }

  set(name: string, value: string): void {
    const key = checkName(String(name));
    const checked = checkValue(String(value));
    this.#mutable();
    const index = this.#list.findIndex(([each]) => each === key);
    if (index === -1) {
      this.#list.push([key, checked]);
      return;
    }
    this.#list[index] = [key, checked];
    this.#list = this.#list.filter(([each], position) => each !== key || position === index);
  }

  /** The sorted-and-combined view the standard iterates over. */
  #sorted(): HeaderList {
    const names = [...new Set(this.#list.map(([name]) => name))].sort();
    const out: HeaderList = [];
    for (const name of names) {
      if (name === "set-cookie") for (const value of this.getSetCookie()) out.push([name, value]);
      else out.push([name, this.get(name)!]);
    }
    return out;
  }

  forEach(callback: (value: string, name: string, headers: Headers) => void, thisArg?: unknown): void {
    for (const [name, value] of this.#sorted()) callback.call(thisArg, value, name, this);
  }

  *entries(): IterableIterator<[string, string]> {
    yield* this.#sorted();
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.#sorted()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.#sorted()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

Object.defineProperty(Headers.prototype, Symbol.toStringTag, { value: "Headers", configurable: true });

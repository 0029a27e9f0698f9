// The `Deno` namespace subset of docs/reference/package_format.md#inside-the-isolate, written by hand over the
// host: env, files, permissions and errors. Every check is made by the host.

import { TextDecoder, TextEncoder } from "@exodus/bytes/encoding-lite.js";
import type { ReadableStream } from "web-streams-polyfill";
import { EventTarget } from "event-target-shim";
import type { HostBridge } from "../core/bridge.ts";
import { denoErrors, unwrap } from "../core/host_errors.ts";
import { concatBytes } from "../web/bytes.ts";

interface FileOptions {
  signal?: { aborted: boolean; reason: unknown };
}

interface WriteOptions extends FileOptions {
  append?: boolean;
  create?: boolean;
  createNew?: boolean;
  mode?: number;
}

type PermissionDescriptor = { name: string; path?: string | URL; host?: string; variable?: string };
type URLLike = { protocol: string; pathname: string; href: string };

class PermissionStatus extends EventTarget {
  readonly state: string;
  readonly partial: boolean;
  onchange: unknown = null;

  constructor(state: string, partial: boolean) {
    super();
    this.state = state;
    this.partial = partial;
  }
}

function pathOf(path: unknown): string {
  if (typeof path === "string") return path;
  if (path !== null && typeof path === "object" && "protocol" in path) {
    const url = path as URLLike;
    if (url.protocol !== "file:") throw new TypeError(`Must be a file URL: "${url.href}"`);
    return decodeURIComponent(url.pathname);
  }
  throw new TypeError("path must be a string or a file URL");
}

function checkSignal(options: FileOptions | undefined): void {
  if (options?.signal?.aborted) throw options.signal.reason;
}

async function collect(stream: ReadableStream<Uint8Array | string>): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array | string>) {
    parts.push(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
  }
  return concatBytes(parts);
}

export function createDeno(bridge: HostBridge, serve: (first: unknown, second?: unknown) => object): object {
  const env = Object.freeze({
    get(key: string): string | undefined {
      return unwrap(bridge.callSync("envGet", [String(key)])) as string | undefined;
    },
    has(key: string): boolean {
      return env.get(key) !== undefined;
    },
    toObject(): Record<string, string> {
      return unwrap(bridge.callSync("envObject", [])) as Record<string, string>;
    },
  });

  async function readFile(path: string | URL, options?: FileOptions): Promise<Uint8Array> {
    checkSignal(options);
    const bytes = unwrap(await bridge.call("readFile", [pathOf(path)])) as Uint8Array;
    checkSignal(options);
    return bytes;
  }

  async function writeFile(path: string | URL, data: Uint8Array | ReadableStream<Uint8Array>, options: WriteOptions = {}) {
    checkSignal(options);
    const bytes = data instanceof Uint8Array ? data : await collect(data as ReadableStream<Uint8Array>);
    const flags = { append: options.append === true, create: options.create !== false, createNew: options.createNew === true };
    unwrap(await bridge.call("writeFile", [pathOf(path), bytes, flags]));
  }

  function permissionArgs(descriptor: PermissionDescriptor): [string, string | undefined] {
    if (descriptor === null || typeof descriptor !== "object") throw new TypeError("The provided value is not of type 'PermissionDescriptor'");
    const name = String(descriptor.name);
    const target = descriptor.path ?? descriptor.host ?? descriptor.variable;
    return [name, target === undefined ? undefined : name === "read" || name === "write" ? pathOf(target) : String(target)];
  }

  async function query(descriptor: PermissionDescriptor): Promise<PermissionStatus> {
    const args = permissionArgs(descriptor);
    const { state, partial } = unwrap(await bridge.call("permission", args)) as { state: string; partial: boolean };
    return new PermissionStatus(state, partial);
  }

  /** Deno, unable to prompt, answers what is granted and refuses the rest (remembered: later queries say `denied`). */
  async function request(descriptor: PermissionDescriptor): Promise<PermissionStatus> {
    const [name, target] = permissionArgs(descriptor);
    const { state, partial } = unwrap(await bridge.call("permission", [name, target ?? null, "request"])) as { state: string; partial: boolean };
    return new PermissionStatus(state, partial);
  }

  const permissions = Object.freeze({ query, request });

  return Object.freeze({
    env,
    errors: Object.freeze({ ...denoErrors }),
    permissions,
    readFile,
    // Deno keeps a leading byte order mark.
    readTextFile: async (path: string | URL, options?: FileOptions) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(await readFile(path, options)),
    serve,
    writeFile,
    writeTextFile: (path: string | URL, data: string | ReadableStream<string>, options?: WriteOptions) =>
      writeFile(path, typeof data === "string" ? new TextEncoder().encode(data) : (data as unknown as ReadableStream<Uint8Array>), options),
  });
}

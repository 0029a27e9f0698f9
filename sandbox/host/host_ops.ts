// The host side of one isolate's bridge: every operation its runtime may ask
// for (env, files, fetch, digests, request bodies), each checked against the
// package's effective permissions. Arguments come from untrusted code.

import { createHash } from "node:crypto";
import { constants, type FileHandle, open } from "node:fs/promises";
import { FetchBridge } from "../permissions/fetch_bridge.ts";
import { fsError, HostOpError, notCapable, resultOf, resultOfSync } from "./host_error.ts";
import { IncomingBodies } from "./incoming_bodies.ts";
import type { FetchHead, HostResult } from "../isolate/core/bridge.ts";
import { NetGuard } from "../permissions/net_guard.ts";
import { PathGuard } from "../permissions/path_guard.ts";
import { Refusals } from "../permissions/refusals.ts";
import type { IsolateSpec } from "../sandbox.ts";

const DIGESTS: Record<string, string> = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };
const QUERYABLE = new Set(["read", "write", "net", "env", "run", "ffi", "sys", "import"]);

function text(value: unknown, what: string): string {
  if (typeof value !== "string") throw new HostOpError("TypeError", `${what} must be a string`);
  return value;
}

function bytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new HostOpError("TypeError", `${what} must be a Uint8Array`);
  return value;
}

function id(value: unknown): number {
  if (!Number.isSafeInteger(value)) throw new HostOpError("TypeError", "invalid id");
  return value as number;
}

export class HostOps {
  readonly #spec: IsolateSpec;
  readonly #paths: PathGuard;
  readonly #net: NetGuard;
  readonly #refusals = new Refusals();
  readonly fetches: FetchBridge;
  readonly bodies = new IncomingBodies();

  constructor(spec: IsolateSpec) {
    this.#spec = spec;
    const { permissions } = spec;
    this.#paths = new PathGuard(spec.root, spec.dataDir, { read: permissions.read, write: permissions.write });
    this.#net = new NetGuard(permissions.net, (target) => this.#refusals.record("net", target));
    this.fetches = new FetchBridge(this.#net);
  }

  /** Largest file the isolate may read in one call: what fits its heap. */
  get #maxReadBytes(): number {
    return this.#spec.memoryMb * 1024 * 1024;
  }

  callSync(op: unknown, args: unknown): HostResult {
    return resultOfSync(() => {
      const list = Array.isArray(args) ? args : [];
      if (op === "envGet") return this.#envGet(text(list[0], "key"));
      if (op === "envObject") return this.#envObject();
      throw new HostOpError("TypeError", `unknown host operation "${String(op)}"`);
    });
  }

  call(op: unknown, args: unknown): Promise<HostResult> {
    return resultOf(() => {
      const list = Array.isArray(args) ? args : [];
      switch (op) {
        case "readFile":
          return this.#readFile(text(list[0], "path"));
        case "writeFile":
          return this.#writeFile(text(list[0], "path"), bytes(list[1], "data"), list[2]);
        case "permission":
          return this.#permission(text(list[0], "name"), list[1] === undefined || list[1] === null ? undefined : text(list[1], "target"), list[2] === "request");
        case "digest":
          return this.#digest(text(list[0], "algorithm"), bytes(list[1], "data"));
        case "fetch":
          return this.fetches.fetch(id(list[0]), list[1] as FetchHead);
        case "fetchRead":
          return this.fetches.read(id(list[0]));
        case "fetchCancel":
          return this.fetches.cancel(id(list[0]));
        case "fetchAbort":
          return this.fetches.abort(id(list[0]));
        case "bodyRead":
          return this.bodies.read(id(list[0]));
        case "bodyCancel":
          return this.bodies.close(id(list[0]));
        default:
          throw new HostOpError("TypeError", `unknown host operation "${String(op)}"`);
      }
    });
  }

  #envAllowed(key: string): boolean {
    const rule = this.#spec.permissions.env;
    if (rule.deny.includes(key)) return false;
    return rule.allow === true || rule.allow.includes(key);
  }

  #envGet(key: string): string | undefined {
    if (!this.#envAllowed(key)) throw this.#refuse("env", key);
    // Deno checks the permission first, then the key.
    if (key === "") throw new HostOpError("TypeError", "Key is an empty string.");
    if (key.includes("=") || key.includes("\0")) throw new HostOpError("TypeError", `Key contains invalid characters: "${key}"`);
    return Object.hasOwn(this.#spec.env, key) ? this.#spec.env[key] : undefined;
  }

  #envObject(): Record<string, string> {
    if (this.#spec.permissions.env.allow !== true) throw this.#refuse("env");
    return Object.fromEntries(Object.entries(this.#spec.env).filter(([key]) => this.#envAllowed(key)));
  }

  async #readFile(packagePath: string): Promise<Uint8Array> {
    const real = await this.#checkPath("read", packagePath);
    let handle: FileHandle | undefined;
    try {
      handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
      const { size } = await handle.stat();
      if (size > this.#maxReadBytes) {
        throw new HostOpError("Error", `readfile '${packagePath}': ${size} bytes is more than this package's memory limit`);
      }
      return new Uint8Array(await handle.readFile());
    } catch (error) {
      throw fsError(error, "readfile", packagePath);
    } finally {
      await handle?.close();
    }
  }

  async #writeFile(packagePath: string, data: Uint8Array, options: unknown): Promise<void> {
    const flagsIn = (options ?? {}) as { append?: unknown; create?: unknown; createNew?: unknown };
    const real = await this.#checkPath("write", packagePath);
    let flags = constants.O_WRONLY | constants.O_NOFOLLOW;
    flags |= flagsIn.append === true ? constants.O_APPEND : constants.O_TRUNC;
    if (flagsIn.create !== false || flagsIn.createNew === true) flags |= constants.O_CREAT;
    if (flagsIn.createNew === true) flags |= constants.O_EXCL;
    let handle: FileHandle | undefined;
    try {
      handle = await open(real, flags, 0o644);
      await handle.writeFile(data);
    } catch (error) {
      throw fsError(error, "writefile", packagePath);
    } finally {
      await handle?.close();
    }
  }

  /** A refused access: remembered (Deno.permissions.query answers `denied` for it from now on), and the error to throw. */
  #refuse(name: string, target?: string): HostOpError {
    this.#refusals.record(name, target);
    return notCapable(name, target);
  }

  async #checkPath(access: "read" | "write", packagePath: string): Promise<string> {
    try {
      return await this.#paths.check(access, packagePath);
    } catch (error) {
      if (error instanceof HostOpError && error.errorName === "NotCapable") this.#refusals.record(access, this.#paths.hostPath(packagePath));
      throw error;
    }
  }

  /**
   * Deno.permissions.query, and `request` (Deno, unable to prompt, refuses
   * what is not granted yet and remembers it). A refused access turns `prompt`
   * into `denied` (sandbox/permissions/refusals.ts).
   */
  async #permission(name: string, target: string | undefined, request: boolean): Promise<{ state: string; partial: boolean }> {
    const answer = await this.#permissionState(name, target);
    const key = target === undefined ? undefined : name === "read" || name === "write" ? this.#paths.hostPath(target) : name === "net" ? target.toLowerCase() : target;
    if (answer.state !== "prompt") return answer;
    if (request) this.#refusals.record(name, key);
    return request || this.#refusals.denies(name, key) ? { state: "denied", partial: false } : answer;
  }

  async #permissionState(name: string, target: string | undefined): Promise<{ state: string; partial: boolean }> {
    if (!QUERYABLE.has(name)) throw new HostOpError("TypeError", `The provided value "${name}" is not a valid permission name.`);
    if (name === "read" || name === "write") return this.#paths.state(name, target);
    const { env } = this.#spec.permissions;
    let state = "prompt";
    if (name === "net") state = this.#net.state(target);
    else if (name === "env" && target === undefined) state = env.allow === true && env.deny.length === 0 ? "granted" : "prompt";
    else if (name === "env") state = env.deny.includes(target!) ? "denied" : this.#envAllowed(target!) ? "granted" : "prompt";
    return { state, partial: false };
  }

  #digest(algorithm: string, data: Uint8Array): Uint8Array {
    const name = DIGESTS[algorithm];
    if (!name) throw new HostOpError("TypeError", `Unrecognized algorithm name "${algorithm}"`);
    return new Uint8Array(createHash(name).update(data).digest());
  }

  /** Ends everything the isolate has open on the host. */
  closeAll(): void {
    this.fetches.closeAll();
    this.bodies.closeAll();
  }
}

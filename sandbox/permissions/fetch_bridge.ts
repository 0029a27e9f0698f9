// The host side of `fetch`: checks the grant per request and on every
// redirect (followed here, never by the client library), connects only to
// checked addresses, decompresses, and streams bounded bodies back on demand.

import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { pipeline, type Readable } from "node:stream";
import zlib from "node:zlib";
import { HostOpError } from "../host/host_error.ts";
import type { FetchHead, FetchResult, HeaderList, PullResult } from "../isolate/core/bridge.ts";
import { canonicalAddress, type NetGuard } from "./net_guard.ts";

export interface FetchLimits {
  /** Largest request body sent. */
  maxRequestBytes: number;
  /** Largest response body received (after decompression). */
  maxResponseBytes: number;
  /** Fetches (and open response bodies) one isolate may have at once. */
  maxConcurrent: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = {
  maxRequestBytes: 16 * 1024 * 1024,
  maxResponseBytes: 32 * 1024 * 1024,
  maxConcurrent: 32,
};

const MAX_REDIRECTS = 20;
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const USER_AGENT = "isopod (Deno-compatible)";

interface OpenBody {
  iterator: AsyncIterator<Buffer>;
  received: number;
  destroy(): void;
}

const failed = (message: string) => new HostOpError("TypeError", `Fetch failed: ${message}`);

function headerListOf(response: IncomingMessage): HeaderList {
  const list: HeaderList = [];
  for (let i = 0; i + 1 < response.rawHeaders.length; i += 2) list.push([response.rawHeaders[i]!.toLowerCase(), response.rawHeaders[i + 1]!]);
  return list;
}

/** The decoded body stream, as Deno's fetch gives it (content-encoding is undone, the header kept). */
function decoded(response: IncomingMessage): Readable {
  const encoding = String(response.headers["content-encoding"] ?? "").trim().toLowerCase();
  const decoder =
    encoding === "gzip" || encoding === "x-gzip"
      ? zlib.createGunzip()
      : encoding === "deflate"
        ? zlib.createInflate()
        : encoding === "br"
          ? zlib.createBrotliDecompress()
          : undefined;
  if (!decoder) return response;
  return pipeline(response, decoder, () => undefined);
}

export class FetchBridge {
  readonly #guard: NetGuard;
  readonly #limits: FetchLimits;
  readonly #pending = new Map<number, AbortController>();
  readonly #bodies = new Map<number, OpenBody>();
  #nextBody = 1;

  constructor(guard: NetGuard, limits: FetchLimits = DEFAULT_FETCH_LIMITS) {
    this.#guard = guard;
    this.#limits = limits;
  }

  /** A DNS lookup that refuses (or filters out) addresses the grant does not reach. */
  #lookup(host: string, port: number, refusal: { error?: HostOpError }): LookupFunction {
    return (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
        if (error) return (callback as (e: Error) => void)(error);
        const allowed = addresses.filter((item) => {
          try {
            this.#guard.checkAddress(host, item.address, port);
            return true;
          } catch (refused) {
            refusal.error ??= refused as HostOpError;
            return false;
          }
        });
        if (allowed.length === 0) return (callback as (e: Error) => void)(refusal.error ?? failed(`cannot resolve "${hostname}"`));
        delete refusal.error;
        if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, allowed);
        return (callback as (e: null, a: string, f: number) => void)(null, allowed[0]!.address, allowed[0]!.family);
      });
    };
  }

  #send(url: URL, head: FetchHead, body: Uint8Array | null, signal: AbortSignal): Promise<IncomingMessage> {
    const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    this.#guard.checkHost(url.hostname, port);
    const literal = canonicalAddress(url.hostname);
    if (literal !== undefined) this.#guard.checkAddress(url.hostname, literal, port);
    const headers: Record<string, string[]> = {};
    for (const [name, value] of head.headers) (headers[name] ??= []).push(value);
    headers["user-agent"] ??= [USER_AGENT];
    headers.accept ??= ["*/*"];
    headers["accept-encoding"] ??= ["gzip, deflate, br"];
    if (body !== null) headers["content-length"] = [String(body.byteLength)];
    const refusal: { error?: HostOpError } = {};
    const client = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const request = client.request(url, {
        method: head.method,
        headers,
        signal,
        lookup: this.#lookup(url.hostname, port, refusal),
        agent: false,
      });
      request.once("response", resolve);
      request.once("error", (error) => {
        if (refusal.error) reject(refusal.error);
        else if (signal.aborted) reject(new HostOpError("AbortError", "The signal has been aborted"));
        else reject(error instanceof HostOpError ? error : failed(error.message));
      });
      request.end(body ?? undefined);
    });
  }

  /** Performs a fetch, following redirects itself; the response body is left open for `read`. */
  async fetch(id: number, head: FetchHead): Promise<FetchResult> {
    // A body nobody reads would hold its place forever: the least recently read one gives way.
    const oldest = this.#bodies.keys().next();
    if (this.#pending.size + this.#bodies.size >= this.#limits.maxConcurrent && !oldest.done) this.cancel(oldest.value);
    if (this.#pending.size + this.#bodies.size >= this.#limits.maxConcurrent) {
      throw failed(`this package already has ${this.#limits.maxConcurrent} fetches in progress`);
    }
    let body = head.body;
    if (body !== null && body.byteLength > this.#limits.maxRequestBytes) {
      throw failed(`the request body is larger than the host's limit of ${this.#limits.maxRequestBytes} bytes`);
    }
    const controller = new AbortController();
    this.#pending.set(id, controller);
    try {
      let url = new URL(head.url);
      let method = head.method;
      let current: FetchHead = head;
      for (let hop = 0; ; hop++) {
        if (url.protocol !== "http:" && url.protocol !== "https:") throw failed(`scheme "${url.protocol}" is not supported`);
        const response = await this.#send(url, current, body, controller.signal);
        const location = response.headers.location;
        if (!REDIRECT_STATUS.has(response.statusCode ?? 0) || location === undefined || head.redirect === "manual") {
          return this.#result(response, url, hop > 0, method);
        }
        response.destroy();
        if (head.redirect === "error") throw failed("Encountered redirect while redirect mode is set to 'error'");
        if (hop >= MAX_REDIRECTS) throw failed("too many redirects");
        const next = new URL(location, url);
        const status = response.statusCode!;
        let headers = current.headers;
        if ((status === 303 && method !== "GET" && method !== "HEAD") || ((status === 301 || status === 302) && method === "POST")) {
          method = "GET";
          body = null;
          headers = headers.filter(([name]) => !name.startsWith("content-"));
        }
        if (next.origin !== url.origin) headers = headers.filter(([name]) => name !== "authorization" && name !== "cookie");
        current = { ...current, method, headers };
        url = next;
      }
    } finally {
      this.#pending.delete(id);
    }
  }

  #result(response: IncomingMessage, url: URL, redirected: boolean, method: string): FetchResult {
    const status = response.statusCode ?? 0;
    const result: FetchResult = {
      status,
      statusText: response.statusMessage ?? "",
      headers: headerListOf(response),
      body: null,
      url: url.href,
      redirected,
    };
    if (method === "HEAD" || NULL_BODY_STATUS.has(status)) {
      response.destroy();
      return result;
    }
    const stream = decoded(response);
    const id = this.#nextBody++;
    this.#bodies.set(id, {
      iterator: stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>,
      received: 0,
      destroy: () => {
        stream.destroy();
        response.destroy();
      },
    });
    return { ...result, body: { streamId: id } };
  }

  /** The next chunk of a response body; the body is cut off past the host's limit. */
  async read(id: number): Promise<PullResult> {
    const body = this.#bodies.get(id);
    if (!body) return { error: { name: "TypeError", message: "the response body is closed" } };
    try {
      const { done, value } = await body.iterator.next();
      if (done) {
        this.#bodies.delete(id);
        return { done: true };
      }
      body.received += value.byteLength;
      this.#bodies.delete(id);
      this.#bodies.set(id, body);
      if (body.received > this.#limits.maxResponseBytes) {
        this.cancel(id);
        return { error: { name: "TypeError", message: `the response body is larger than the host's limit of ${this.#limits.maxResponseBytes} bytes` } };
      }
      return { chunk: new Uint8Array(value.buffer, value.byteOffset, value.byteLength) };
    } catch (error) {
      this.cancel(id);
      return { error: { name: "TypeError", message: `error reading a body from connection: ${(error as Error).message}` } };
    }
  }

  abort(id: number): void {
    this.#pending.get(id)?.abort();
  }

  cancel(id: number): void {
    this.#bodies.get(id)?.destroy();
    this.#bodies.delete(id);
  }

  /** Ends every fetch and body of the isolate (it is going away). */
  closeAll(): void {
    for (const controller of this.#pending.values()) controller.abort();
    for (const body of this.#bodies.values()) body.destroy();
    this.#pending.clear();
    this.#bodies.clear();
  }
}

// `fetch`, written by hand over the host: the isolate sends the request as a
// message (body read whole, bounded), the host checks and performs it, and
// the response body streams back one pull at a time.

import type { FetchHead, FetchResult, HostBridge, PullResult } from "../core/bridge.ts";
import { bodyOfRequest, Request, type RequestInit } from "./request.ts";
import { makeResponse, type Response } from "./response.ts";
import { fetchDataUrl } from "./data_url.ts";
import { freezeHeaders, headerListOf, Headers } from "./headers.ts";
import { Body } from "./body.ts";
import { unwrap } from "../core/host_errors.ts";
import { hostStream } from "../core/host_stream.ts";

/** Largest request body `fetch` sends; the host enforces its own bound too. */
export const MAX_FETCH_BODY = 16 * 1024 * 1024;

async function bodyBytes(request: Request): Promise<Uint8Array | null> {
  const body = bodyOfRequest(request);
  if (body.isNull) return null;
  const bytes = await body.bytes();
  if (bytes.byteLength > MAX_FETCH_BODY) {
    throw new TypeError(`fetch: the request body is larger than the host's limit of ${MAX_FETCH_BODY} bytes`);
  }
  return bytes;
}

export function createFetch(bridge: HostBridge): (input: unknown, init?: RequestInit) => Promise<Response> {
  let nextId = 1;
  return async function fetch(input: unknown, init?: RequestInit): Promise<Response> {
    const request = new Request(input as string, init);
    const { signal } = request;
    signal.throwIfAborted();
    if (request.url.startsWith("data:")) return fetchDataUrl(request.url, request.method);
    const head: FetchHead = {
      method: request.method,
      url: request.url,
      headers: headerListOf(request.headers),
      redirect: request.redirect as FetchHead["redirect"],
      body: await bodyBytes(request),
    };
    const id = nextId++;
    let onAbort: () => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        void bridge.call("fetchAbort", [id]);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    let result: FetchResult;
    try {
      result = unwrap(await Promise.race([bridge.call("fetch", [id, head]), aborted])) as FetchResult;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
    let body = Body.empty();
    if (result.body !== null && "streamId" in result.body) {
      const streamId = result.body.streamId;
      const stream = hostStream({
        pull: async () => {
          if (signal.aborted) throw signal.reason;
          return unwrap(await bridge.call("fetchRead", [streamId])) as PullResult;
        },
        cancel: () => void bridge.call("fetchCancel", [streamId]),
      });
      signal.addEventListener("abort", () => void stream.cancel(signal.reason).catch(() => undefined), { once: true });
      body = Body.ofStream(stream);
    } else if (result.body !== null && "bytes" in result.body) {
      body = Body.ofBytes(result.body.bytes);
    }
    return makeResponse({
      status: result.status,
      statusText: result.statusText,
      headers: freezeHeaders(new Headers(result.headers)),
      body,
      url: result.url,
      redirected: result.redirected,
    });
  };
}


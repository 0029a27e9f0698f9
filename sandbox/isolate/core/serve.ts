// Runs the package's `fetch(request, info)` for a request the host sends, and
// turns its Response into a message: the head, and the body inline or as a stream.

import { AbortController } from "../web/abort.ts";
import { Body } from "../web/body.ts";
import type { HostBridge, RequestHead, RequestOutcome, ResponseHead } from "./bridge.ts";
import { BodyStreams } from "../web/body_streams.ts";
import { formatArgs } from "./format.ts";
import { headerListOf, Headers } from "../web/headers.ts";
import { unwrap } from "./host_errors.ts";
import { hostStream } from "./host_stream.ts";
import type { PullResult } from "./bridge.ts";
import { outcomeOf } from "./outcome.ts";
import { makeRequest } from "../web/request.ts";
import { bodyOfResponse, Response } from "../web/response.ts";
import type { ActiveServe, ServeRegistry } from "../deno/serve.ts";

type Entry = Record<string, unknown>;

/** What `deno serve` answers a handler that gives no Response, in its words. */
const NOT_A_RESPONSE = "Return value from serve handler must be a response or a promise resolving to a response";

export class Server {
  readonly #bridge: HostBridge;
  readonly #streams = new BodyStreams();
  readonly #inflight = new Map<number, AbortController>();
  readonly #serves: ServeRegistry;

  constructor(bridge: HostBridge, serves: ServeRegistry) {
    this.#bridge = bridge;
    this.#serves = serves;
  }

  #requestOf(id: number, head: RequestHead) {
    const controller = new AbortController();
    this.#inflight.set(id, controller);
    const bodyId = head.bodyId;
    const body =
      bodyId === null
        ? Body.empty()
        : Body.ofStream(
            hostStream({
              pull: async () => unwrap(await this.#bridge.call("bodyRead", [bodyId])) as PullResult,
              cancel: () => void this.#bridge.call("bodyCancel", [bodyId]),
            }),
          );
    return makeRequest({
      url: head.url,
      method: head.method,
      headers: new Headers(head.headers),
      body,
      signal: controller.signal,
      redirect: "follow",
    });
  }

  #headOf(response: Response): ResponseHead {
    if (response.type === "error") throw new TypeError("the handler returned Response.error()");
    const body = bodyOfResponse(response);
    const known = body.knownBytes;
    const taken = body.take();
    const head: ResponseHead = {
      status: response.status,
      statusText: response.statusText,
      headers: headerListOf(response.headers),
      body: null,
    };
    if (taken === null) return head;
    if ("bytes" in taken || known !== null) return { ...head, body: { bytes: known ?? (taken as { bytes: Uint8Array }).bytes } };
    return { ...head, body: { streamId: this.#streams.open(taken.stream) } };
  }

  async request(entry: Entry, id: number, head: RequestHead): Promise<RequestOutcome> {
    // Deno.serve's handler when the package called it, else the default export's fetch.
    const active: ActiveServe | null = this.#serves.active;
    const handler = active ? active.handler : entry.fetch;
    if (typeof handler !== "function") return { error: { name: "NoHandler", message: "the default export has no fetch handler" } };
    if (active) active.inflight++;
    try {
      const request = this.#requestOf(id, head);
      const info = { remoteAddr: { ...head.remoteAddr } };
      let result: unknown;
      try {
        result = await handler.call(active ? undefined : entry, request, info);
      } catch (error) {
        if (!active?.onError) throw error;
        result = await active.onError(error);
      }
      if (!(result instanceof Response)) throw new TypeError(NOT_A_RESPONSE);
      return { response: this.#headOf(result) };
    } catch (error) {
      this.#bridge.log("error", formatArgs([error]));
      return { error: outcomeOf(error) };
    } finally {
      this.#inflight.delete(id);
      if (active) this.#serves.settled(active);
    }
  }

  /** The host is done with a request (answered, timed out, client gone): abort its signal if still pending. */
  finish(id: number, aborted: boolean): void {
    const controller = this.#inflight.get(id);
    this.#inflight.delete(id);
    if (aborted) controller?.abort();
  }

  pull(streamId: number): Promise<PullResult> {
    return this.#streams.pull(streamId);
  }

  cancel(streamId: number, reason: string): void {
    this.#streams.cancel(streamId, reason);
  }
}

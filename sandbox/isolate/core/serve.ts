// Runs the package's `fetch(request, info)` for a request the host sends, and
// turns its Response into a message: the head, and the body inline or as a stream.

import { Body } from "../web/body.ts";
import type { BodyPull, FlatOutcome, HeaderList, HostBridge, Pending, RequestHead, RequestOutcome, ResponseHead } from "./bridge.ts";
import { batchOfAnswers, flatAnswer, headersOfFlat, NOT_FLAT, NOT_YET, requestsOfBatch } from "./flat_wire.ts";
import { ParkingLot } from "./parking_lot.ts";
import { BodyStreams } from "../web/body_streams.ts";
import { formatArgs } from "./format.ts";
import { headerListOf } from "../web/headers.ts";
import { LazyAbort } from "../web/lazy_abort.ts";
import { unwrap } from "./host_errors.ts";
import { hostStream } from "./host_stream.ts";
import type { PullResult } from "./bridge.ts";
import { outcomeOf } from "./outcome.ts";
import { makeRequest } from "../web/request.ts";
import { bodyOfResponse, Response } from "../web/response.ts";
import type { ActiveServe, ServeRegistry } from "../deno/serve.ts";

type Entry = Record<string, unknown>;
/** A head whose header list a batch hands over still joined: split only if the handler reads `request.headers`. */
type ReceivedHead = Omit<RequestHead, "headers"> & { headers: HeaderList | (() => HeaderList) };

/** Whether `await value` would wait on it; reading `then` may throw (a hostile getter), as it would in `await`. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as { then?: unknown }).then === "function";
}

/** A response as one string (core/flat_wire.ts) when it fits, else as it is. */
function flattened(outcome: RequestOutcome | Pending): FlatOutcome | Pending {
  if (!("response" in outcome)) return outcome;
  return flatAnswer(outcome.response) ?? outcome;
}

/** What `deno serve` answers a handler that gives no Response, in its words. */
const NOT_A_RESPONSE = "Return value from serve handler must be a response or a promise resolving to a response";

export class Server {
  readonly #bridge: HostBridge;
  readonly #streams = new BodyStreams();
  readonly #inflight = new Map<number, LazyAbort>();
  readonly #serves: ServeRegistry;
  /** Requests whose handler had not answered when a call on the host's thread returned. */
  readonly #requests = new ParkingLot<RequestOutcome>();

  constructor(bridge: HostBridge, serves: ServeRegistry) {
    this.#bridge = bridge;
    this.#serves = serves;
  }

  #requestOf(id: number, head: ReceivedHead) {
    const signal = new LazyAbort();
    this.#inflight.set(id, signal);
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
      headers: head.headers,
      body,
      signal,
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

  /**
   * Runs the handler; a handler that answers without waiting (not a promise)
   * is answered in the same call, otherwise the outcome is a promise.
   */
  request(entry: Entry, id: number, head: ReceivedHead): RequestOutcome | Promise<RequestOutcome> {
    // Deno.serve's handler when the package called it, else the default export's fetch.
    const active: ActiveServe | null = this.#serves.active;
    const handler = active ? active.handler : entry.fetch;
    if (typeof handler !== "function") return { error: { name: "NoHandler", message: "the default export has no fetch handler" } };
    if (active) active.inflight++;
    const settle = (outcome: RequestOutcome): RequestOutcome => {
      this.#inflight.delete(id);
      if (active) this.#serves.settled(active);
      return outcome;
    };
    let result: unknown;
    let recovered = false;
    try {
      result = handler.call(active ? undefined : entry, this.#requestOf(id, head), { remoteAddr: { ...head.remoteAddr } });
      if (!isThenable(result)) return settle(this.#outcomeOf(result));
    } catch (error) {
      if (!active?.onError) return settle(this.#failed(error));
      recovered = true;
      try {
        result = active.onError(error);
        if (!isThenable(result)) return settle(this.#outcomeOf(result));
      } catch (again) {
        return settle(this.#failed(again));
      }
    }
    return this.#settleLater(result as PromiseLike<unknown>, recovered ? null : active).then(settle);
  }

  /** Awaits the handler's promise; a rejection goes to `onError` once (not when it came from `onError`). */
  async #settleLater(result: PromiseLike<unknown>, active: ActiveServe | null): Promise<RequestOutcome> {
    let value: unknown;
    try {
      value = await result;
    } catch (error) {
      if (!active?.onError) return this.#failed(error);
      try {
        value = await active.onError(error);
      } catch (again) {
        return this.#failed(again);
      }
    }
    return this.#outcomeOf(value);
  }

  #outcomeOf(result: unknown): RequestOutcome {
    try {
      if (!(result instanceof Response)) throw new TypeError(NOT_A_RESPONSE);
      return { response: this.#headOf(result) };
    } catch (error) {
      return this.#failed(error);
    }
  }

  #failed(error: unknown): RequestOutcome {
    this.#bridge.log("error", formatArgs([error]));
    return { error: outcomeOf(error) };
  }

  take(id: number): FlatOutcome | Pending {
    return flattened(this.#requests.take(id));
  }

  /** Several requests from one call on the host's thread (core/flat_wire.ts batches), each handler in turn. */
  requestBatch(entry: Entry, batch: string): string {
    const answers: [number, string | typeof NOT_YET | typeof NOT_FLAT][] = [];
    for (const { id, method, url, headers, hostname, port } of requestsOfBatch(batch)) {
      const head: ReceivedHead = { method, url, headers: () => headersOfFlat(headers), remoteAddr: { transport: "tcp", hostname, port }, bodyId: null };
      answers.push([id, this.#batchAnswer(id, this.#requests.park(id, this.request(entry, id, head)))]);
    }
    return batchOfAnswers(answers);
  }

  /** `take` for the requests of a batch that had not answered (ids joined by ","). */
  takeBatch(ids: string): string {
    return batchOfAnswers(ids.split(",").map((id) => [Number(id), this.#batchAnswer(Number(id), this.#requests.take(Number(id)))]));
  }

  /** An answer as a batch carries it; one that needs a structured copy stays parked for `take`. */
  #batchAnswer(id: number, outcome: RequestOutcome | Pending): string | typeof NOT_YET | typeof NOT_FLAT {
    if ("pending" in outcome) return NOT_YET;
    const flat = flattened(outcome);
    if (typeof flat === "string") return flat;
    this.#requests.park(id, Promise.resolve(outcome));
    return NOT_FLAT;
  }

  wait(id: number): Promise<RequestOutcome> {
    return this.#requests.wait(id, { error: { name: "Error", message: `no pending request ${id}` } });
  }

  /** The host is done with a request (answered, timed out, client gone): abort its signal if still pending. */
  finish(id: number, aborted: boolean): void {
    const signal = this.#inflight.get(id);
    this.#inflight.delete(id);
    if (aborted) signal?.abort();
  }

  pull(streamId: number): Promise<BodyPull> {
    return this.#streams.pull(streamId);
  }

  /** `pull` on the host's thread: what the stream has read ahead, or `pending`. */
  pullSync(streamId: number): BodyPull | Pending {
    return this.#streams.pullNow(streamId);
  }

  pullWait(streamId: number): Promise<BodyPull> {
    return this.#streams.pull(streamId);
  }

  cancel(streamId: number, reason: string): void {
    this.#streams.cancel(streamId, reason);
  }
}

// How a request, or a pull of its response body, enters the isolate: on the host's own thread when the
// isolate is idle and has answered quickly so far (no hand-off to the isolate's thread), else on the isolate's thread.

import { performance } from "node:perf_hooks";
import type { BodyPull, FlatOutcome, Pending, RequestHead, RequestOutcome } from "../isolate/core/bridge.ts";
import { answerOfFlat, answersOfBatch, batchOfRequests, flatHeaders, NOT_FLAT, NOT_YET, type FlatRequest } from "../isolate/core/flat_wire.ts";
import { bytesWithText } from "../body_text.ts";
import { dispatchCall, dispatchCallSync, type Dispatcher } from "./dispatch_call.ts";
import { copyOf } from "./ivm.ts";

/**
 * A call on the host's thread blocks the process's event loop, every other
 * package's requests included, for as long as the handler runs. So it is
 * only tried for packages whose calls can block only briefly (syncTimeoutOf), and each isolate has a
 * credit of blocking time: what a call spends beyond SYNC_FREE_MS (CPU, or
 * wall time beyond SYNC_STALL_MS for a call that waits) is taken from it, it
 * refills slowly, and an isolate that overdraws it or times out runs on its
 * own thread from then on. The first request's code loading and the odd GC
 * fit in the credit; a handler that loops blocks the loop once, for at most its `timeoutMs`, or
 * just past its `cpuMs` when that is shorter (SYNC_CPU_MARGIN_MS: it has then used its CPU budget,
 * and the CPU watchdog ends the isolate as it would on the isolate's own thread).
 */
const SYNC_FREE_MS = 1;
const SYNC_STALL_MS = 50;
const SYNC_CREDIT_MS = 250;
/** Credit regained per second: at most 1 % of the loop, over time. */
const SYNC_REFILL_PER_S = 10;
/** Packages whose calls may block longer than this (the shorter of their wall time and CPU budget) always run on their own thread. */
export const SYNC_MAX_TIMEOUT_MS = 2_500;
/** A call on the host's thread is cut this long after the package's CPU budget, so that it has surely used the budget up. */
export const SYNC_CPU_MARGIN_MS = 50;

/** How long a call on the host's thread may run: its wall time, or just past its CPU budget if that is shorter. */
export function syncTimeoutOf(limits: { timeoutMs: number; cpuMs: number }): number {
  return Math.min(limits.timeoutMs, limits.cpuMs + SYNC_CPU_MARGIN_MS);
}

function isPending(outcome: FlatOutcome | Pending): outcome is Pending {
  return typeof outcome !== "string" && "pending" in outcome;
}

/** A flattened answer read back; one the isolate garbled (its runtime tampered with) is the handler's error: a 500. */
function unflattened(outcome: FlatOutcome): RequestOutcome {
  if (typeof outcome !== "string") return outcome;
  try {
    return { response: answerOfFlat(outcome, bytesWithText) };
  } catch (error) {
    return { error: { name: "TypeError", message: (error as Error).message } };
  }
}

type BatchAnswers = Map<number, string | typeof NOT_YET | typeof NOT_FLAT>;

/** A batch from the isolate, or null when it is garbled. */
function answersOf(batch: unknown): BatchAnswers | null {
  try {
    return typeof batch === "string" ? answersOfBatch(batch) : null;
  } catch {
    return null;
  }
}

interface Queued {
  request: FlatRequest;
  head: RequestHead;
  resolve(outcome: RequestOutcome | Promise<RequestOutcome>): void;
  reject(error: unknown): void;
}

export class RequestDispatch {
  readonly #timeoutMs: number;
  readonly #syncTimeoutMs: number;
  readonly #cpuClock: () => number;
  readonly #bound: <T>(answer: Promise<T>) => Promise<T>;
  #onThread: boolean;
  #credit = SYNC_CREDIT_MS;
  #creditAt = performance.now();
  /** Requests waiting for this turn of the event loop to end, to enter the isolate together. */
  #batch: Queued[] = [];

  /**
   * `limits` are the package's; `cpuClock` reads the isolate's CPU clock; `bound` puts the wall time on an
   * answer that waits for the isolate's own thread (one from a batch needs none: the batch's call has its timeout).
   */
  constructor(limits: { timeoutMs: number; cpuMs: number }, cpuClock: () => number, bound: <T>(answer: Promise<T>) => Promise<T>) {
    this.#timeoutMs = limits.timeoutMs;
    this.#syncTimeoutMs = syncTimeoutOf(limits);
    this.#cpuClock = cpuClock;
    this.#bound = bound;
    this.#onThread = this.#syncTimeoutMs > SYNC_MAX_TIMEOUT_MS;
  }

  /** True once the package runs on its own thread only. */
  get onThread(): boolean {
    return this.#onThread;
  }

  /** The `timeout` of a call on the host's thread (syncTimeoutOf). */
  get syncTimeoutMs(): number {
    return this.#syncTimeoutMs;
  }

  /** Takes what a call on the host's thread cost beyond the free part from the credit. */
  #charge(wallMs: number, cpuMs: number): void {
    const now = performance.now();
    this.#credit = Math.min(SYNC_CREDIT_MS, this.#credit + ((now - this.#creditAt) / 1000) * SYNC_REFILL_PER_S);
    this.#creditAt = now;
    this.#credit -= Math.max(0, cpuMs - SYNC_FREE_MS, wallMs - SYNC_STALL_MS);
    if (this.#credit < 0) this.#onThread = true;
  }

  /**
   * Dispatches request `id`: answered with the other requests for this
   * isolate that reach the host in the same turn of its event loop, in one
   * call on the host's thread (one entry and one timeout for them all), or
   * on the isolate's thread, bounded by the wall time there. Rejects with
   * what isolated-vm throws (or a DeadlineError): the caller maps it to a failure.
   */
  request(dispatcher: Dispatcher, id: number, head: RequestHead): Promise<RequestOutcome> {
    // A request with a body: reading it waits on the host, so a try on this thread would only add calls.
    const headers = this.#onThread || head.bodyId !== null ? null : flatHeaders(head.headers);
    if (headers === null) return this.#onIsolateThread(dispatcher, id, head);
    const { hostname, port } = head.remoteAddr;
    return new Promise((resolve, reject) => {
      if (this.#batch.length === 0) setImmediate(() => this.#flush(dispatcher));
      this.#batch.push({ request: { id, method: head.method, url: head.url, headers, hostname, port }, head, resolve, reject });
    });
  }

  #onIsolateThread(dispatcher: Dispatcher, id: number, head: RequestHead): Promise<RequestOutcome> {
    return this.#bound(dispatchCall(dispatcher, "request", [id, copyOf(head)], { timeout: this.#timeoutMs, result: { promise: true, copy: true } }));
  }

  #flush(dispatcher: Dispatcher): void {
    const batch = this.#batch;
    this.#batch = [];
    // The isolate may have turned busy (a call on its own thread) or slow since the requests came.
    if (this.#onThread || dispatcher.pending > 0) {
      for (const queued of batch) queued.resolve(this.#onIsolateThread(dispatcher, queued.request.id, queued.head));
      return;
    }
    const timeout = this.#syncTimeoutMs;
    let answers: BatchAnswers | null;
    try {
      answers = this.onHostThread(() => {
        const first = answersOf(dispatchCallSync(dispatcher, "requestBatch", [batchOfRequests(batch.map((queued) => queued.request))], { timeout }));
        if (first === null) return null;
        // Handlers whose promises settled in the call's microtasks (async handlers that never awaited the host).
        const waiting = [...first].filter(([, answer]) => answer === NOT_YET).map(([id]) => id);
        if (waiting.length === 0) return first;
        const taken = answersOf(dispatchCallSync(dispatcher, "requestTakeBatch", [waiting.join(",")], { timeout }));
        if (taken === null) return null;
        for (const [id, answer] of taken) first.set(id, answer);
        return first;
      });
    } catch (error) {
      for (const queued of batch) queued.reject(error);
      return;
    }
    for (const queued of batch) {
      try {
        queued.resolve(this.#answer(dispatcher, queued.request.id, answers?.get(queued.request.id)));
      } catch (error) {
        queued.reject(error);
      }
    }
  }

  /** One request's answer from a batch; missing when the isolate garbled the batch (its runtime tampered with): a 500. */
  #answer(dispatcher: Dispatcher, id: number, answer: string | typeof NOT_YET | typeof NOT_FLAT | undefined): RequestOutcome | Promise<RequestOutcome> {
    if (answer === undefined) return { error: { name: "TypeError", message: "invalid batch of answers" } };
    if (typeof answer === "string") return unflattened(answer);
    if (answer === NOT_FLAT) {
      const taken = this.onHostThread(() => dispatchCallSync(dispatcher, "requestTake", [id], { timeout: this.#syncTimeoutMs }));
      if (!isPending(taken)) return unflattened(taken);
    }
    return this.#bound(dispatchCall(dispatcher, "requestWait", [id], { timeout: this.#timeoutMs, result: { promise: true, copy: true } }));
  }

  /** The next chunk (or chunks) of response body `streamId`, the same way: at once on the host's thread, else a promise bounded by the wall time. */
  pull(dispatcher: Dispatcher, streamId: number): BodyPull | Promise<BodyPull> {
    const timeout = this.#timeoutMs;
    if (this.#onThread || dispatcher.pending > 0) {
      return this.#bound(dispatchCall(dispatcher, "pull", [streamId], { timeout, result: { promise: true, copy: true } }));
    }
    const sync = { timeout: this.#syncTimeoutMs };
    const result = this.onHostThread(() => {
      const first = dispatchCallSync(dispatcher, "pullSync", [streamId], sync);
      // Chunks the package enqueued at once are read in the call's microtasks: the second call takes them.
      return "pending" in first ? dispatchCallSync(dispatcher, "pullSync", [streamId], sync) : first;
    });
    if (!("pending" in result)) return result;
    return this.#bound(dispatchCall(dispatcher, "pullWait", [streamId], { timeout, result: { promise: true, copy: true } }));
  }

  /**
   * Runs calls on this thread, charging what they cost to the credit; one that throws (timed out, isolate gone) ends the tries.
   * Registry calls into the isolate use it too (sandbox/host/registry_delivery.ts): one credit per isolate.
   */
  onHostThread<T>(calls: () => T): T {
    const started = performance.now();
    const startedCpu = this.#cpuClock();
    try {
      return calls();
    } catch (error) {
      this.#onThread = true;
      throw error;
    } finally {
      try {
        this.#charge(performance.now() - started, this.#cpuClock() - startedCpu);
      } catch {
        this.#onThread = true; // the isolate is gone: its clock cannot be read
      }
    }
  }
}

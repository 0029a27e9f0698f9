// Registry calls in flight between isolates: each is sent to its provider
// (on the host's thread when it is idle), bounded by the provider's timeoutMs,
// ends exactly once, and its outcome goes back to the caller as plain data.

import { performance } from "node:perf_hooks";
import { SandboxFailure } from "../failure.ts";
import { CloneBoundError, measureClone } from "../isolate/core/clone_size.ts";
import { REGISTRY_LIMITS, type RegistryErrorMessage, type RegistryOutcome, type ServeMessage } from "../isolate/registry/registry_wire.ts";
import type { RegistryStats } from "./registry_stats.ts";

/** The registry's dispatches into an isolate. */
export type RegistryDispatch = "registryServe" | "registryResolve";

/** How the registry reaches one isolate. */
export interface RegistryPeer {
  /** Runs a registry dispatch in the isolate; rejects with a SandboxFailure when it could not run there. */
  deliver(kind: RegistryDispatch, id: number, payload: unknown): Promise<void>;
  /**
   * Runs it on the host's thread, bounded by the isolate's wall time, when the
   * isolate is idle and may block the event loop (sandbox/host/registry_delivery.ts):
   * true once it ran, false when it may not (then `deliver`). Throws a SandboxFailure when it failed there.
   */
  deliverNow(kind: RegistryDispatch, id: number, payload: unknown): boolean;
}

/** One loaded isolate, as the registry sees it. */
export interface Member {
  readonly instanceId: string;
  readonly packageName: string;
  /** Packages whose resources it may use: its `isopod.dependencies`. */
  readonly dependencies: ReadonlySet<string>;
  /** Its wall time per call: the deadline of calls into it. */
  readonly timeoutMs: number;
  /** Set once the isolate is loaded. */
  peer: RegistryPeer | undefined;
  /** Its `start` hook has finished: a resource it lacks now is missing, not on its way. */
  started: boolean;
  /** Names of the resources it provides (without the package prefix). */
  readonly provided: Set<string>;
  /** Calls it made that are not answered yet. */
  outgoing: number;
  /** Calls it serves now, by call id. */
  readonly serving: Map<number, Call>;
}

interface Call {
  readonly id: number;
  readonly label: string;
  readonly resource: string;
  readonly caller: Member;
  readonly callerId: number;
  readonly provider: Member;
  readonly startedAt: number;
  /** The deadline, set once the call waits (a call served on the host's thread is bounded by its wall time there). */
  timer: NodeJS.Timeout | undefined;
  /** True while the caller's `registryCall` waits for a call served on the host's thread: its outcome is returned then. */
  waiting: boolean;
  outcome: RegistryOutcome | undefined;
}

/** A refusal or failure made by the registry itself, with its code. */
export function registryError(name: string, code: NonNullable<RegistryErrorMessage["code"]>, message: string): RegistryErrorMessage {
  return { name, message, code };
}

/** The refusal of a value that may not cross (`what`: "the arguments of ...", "the result of ..."). */
export function boundRefusal(error: CloneBoundError, what: string): RegistryErrorMessage {
  const tooLarge = error.code === "too_large";
  return registryError(tooLarge ? "RangeError" : "DataCloneError", tooLarge ? "too_large" : "data_clone", `${what} cannot cross the registry: ${error.message}`);
}

/** Codes a provider's runtime may set itself: its result did not fit. */
const PROVIDER_CODES = new Set(["too_large", "data_clone"]);

/**
 * What an error a provider sent may carry to the caller: a short identifier
 * as its name, a bounded message, and a code only where its runtime sets one.
 */
export function sanitized(error: unknown): RegistryErrorMessage {
  const { name, message, code } = (error ?? {}) as { name?: unknown; message?: unknown; code?: unknown };
  return {
    name: typeof name === "string" && /^[A-Za-z_$][\w$]{0,63}$/.test(name) ? name : "Error",
    message: typeof message === "string" ? message.slice(0, 16 * 1024) : "the provider failed",
    ...(typeof code === "string" && PROVIDER_CODES.has(code) && { code: code as NonNullable<RegistryErrorMessage["code"]> }),
  };
}

export class RegistryCalls {
  readonly #stats: RegistryStats;
  #nextId = 1;

  constructor(stats: RegistryStats) {
    this.#stats = stats;
  }

  /**
   * Sends a call to its provider. Its outcome when the provider answered on
   * the host's thread at once; else null, and it reaches the caller later as
   * `registryResolve(callerId, outcome)`.
   */
  start(caller: Member, callerId: number, provider: Member, serve: ServeMessage): RegistryOutcome | null {
    const id = this.#nextId++;
    const resource = `${provider.packageName}/${serve.resource}`;
    const call: Call = { id, label: serve.label, resource, caller, callerId, provider, startedAt: performance.now(), timer: undefined, waiting: true, outcome: undefined };
    caller.outgoing++;
    provider.serving.set(id, call);
    const served = this.#inline(() => provider.peer!.deliverNow("registryServe", id, { ...serve, inline: true }), (error) => this.#failed(call, error));
    call.waiting = false;
    if (call.outcome) return call.outcome;
    // The deadline counts from the call's start: what it ran on the host's thread is part of its wall time.
    call.timer = setTimeout(() => this.#timedOut(call), Math.max(0, provider.timeoutMs - (performance.now() - call.startedAt)));
    if (!served) provider.peer!.deliver("registryServe", id, serve).catch((error: unknown) => this.#failed(call, error));
    return null;
  }

  /** Runs `deliver` on the host's thread if the peer lets it; a failure there is the call's end (`failed`). False when it did not run there. */
  #inline(deliver: () => boolean, failed: (error: unknown) => void): boolean {
    try {
      return deliver();
    } catch (error) {
      failed(error);
      return true;
    }
  }

  /** The provider could not run or finish the call. */
  #failed(call: Call, error: unknown): void {
    const failure = error instanceof SandboxFailure ? error : new SandboxFailure("uncaught-error", String(error));
    if (failure.reason === "wall-time") this.#timedOut(call);
    else if (failure.reason === "disposed" || failure.reason === "memory") this.#stopped(call, failure.reason);
    else this.#finish(call, { ok: false, error: { name: "Error", message: `${call.label} failed in the provider: ${failure.message}` } });
  }

  /**
   * The provider's answer to call `id` (its shape checked, its error
   * sanitized); a value over the bounds is refused here again, since a getter
   * may give the host more than it gave the provider's own check. A late or
   * unknown answer is dropped.
   */
  answer(provider: Member, id: number, outcome: RegistryOutcome): void {
    const call = provider.serving.get(id);
    if (call === undefined) return;
    if (outcome.ok) {
      try {
        measureClone(outcome.value, REGISTRY_LIMITS);
      } catch (error) {
        if (!(error instanceof CloneBoundError)) throw error;
        this.#finish(call, { ok: false, error: boundRefusal(error, `the result of ${call.label}`) });
        return;
      }
    }
    this.#finish(call, outcome);
  }

  /**
   * Refuses a call that never reached a provider, counting it for the
   * resource; one that is not provided now (`provided: false`) only if it has
   * counters already, so that calls to made-up names cannot grow them.
   */
  refused(resource: string, error: RegistryErrorMessage, provided = true): RegistryOutcome {
    if (provided || this.#stats.has(resource)) this.#stats.record(resource, null, "error");
    return { ok: false, error };
  }

  /** The provider left: every call it serves rejects now. */
  providerLeft(provider: Member, why: string): void {
    for (const call of [...provider.serving.values()]) this.#stopped(call, why);
  }

  #stopped(call: Call, why: string): void {
    const detail = why === "disposed" ? "" : ` (it failed: ${why})`;
    this.#finish(call, { ok: false, error: registryError("Interrupted", "provider_stopped", `${call.label} failed: provider stopped${detail}`) });
  }

  #timedOut(call: Call): void {
    const error = registryError("TimedOut", "timeout", `${call.label} did not answer within ${call.provider.timeoutMs} ms (the provider's timeoutMs)`);
    this.#finish(call, { ok: false, error }, "timeout");
  }

  #finish(call: Call, outcome: RegistryOutcome, kind?: "timeout"): void {
    if (!call.provider.serving.delete(call.id)) return;
    clearTimeout(call.timer);
    call.caller.outgoing--;
    this.#stats.record(call.resource, performance.now() - call.startedAt, kind ?? (outcome.ok ? "ok" : "error"));
    if (call.waiting) {
      call.outcome = outcome;
      return;
    }
    const caller = call.caller.peer;
    if (!caller) return;
    // A caller that is gone, or whose continuation fails, is its own business (its log says so).
    if (this.#inline(() => caller.deliverNow("registryResolve", call.callerId, outcome), () => undefined)) return;
    caller.deliver("registryResolve", call.callerId, outcome).catch(() => undefined);
  }
}

// Carries out the restart policy: remembers each package's recent failures,
// restarts it after the backoff, and leaves it failed on a crash loop.

import type { LogLevel, Store } from "../../db/index.ts";
import { decide, type RestartSettings } from "./restart_policy.ts";

/** How a restart attempt ended: not carried out (no longer wanted), started, or failed with the error recorded. */
export type RestartOutcome = { ran: false } | { ran: true; error?: { code: string; message: string } };

export interface RestarterOptions {
  store: Store;
  /** The package's policy; undefined when it is not installed. */
  settingsOf(name: string): RestartSettings | undefined;
  /**
   * Starts the package again, under its locks, but only if `wanted()` still
   * holds once they are held (a stop or another operation meanwhile cancels the restart).
   */
  restart(name: string, attempt: number, wanted: () => boolean): Promise<RestartOutcome>;
  /** Writes a line to the package's log. */
  log(name: string, level: LogLevel, message: string): void;
}

interface Pending {
  timer: NodeJS.Timeout | undefined;
}

export class Restarter {
  readonly #options: RestarterOptions;
  /** Failure times still in each package's window. */
  readonly #recent = new Map<string, number[]>();
  /** A scheduled or running restart; an entry that is replaced or removed is cancelled. */
  readonly #pending = new Map<string, Pending>();
  readonly #listeners: ((name: string) => void)[] = [];
  /** Restarts under way, so that closing waits for them instead of leaving an isolate behind. */
  readonly #runs = new Set<Promise<void>>();
  #closed = false;

  constructor(options: RestarterOptions) {
    this.#options = options;
  }

  /** Called for each restart the policy carries out. */
  onRestart(listener: (name: string) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * A running package failed (`reason` is its error code): schedules its
   * restart, or records the crash loop. The package is already `failed`.
   */
  failed(name: string, reason: string, message: string): void {
    const record = this.#options.store.packages.get(name);
    const settings = this.#options.settingsOf(name);
    if (this.#closed || !record || record.state !== "failed" || record.desiredState !== "running" || !settings) return;
    this.cancel(name);
    const recent = this.#recent.get(name) ?? [];
    this.#recent.set(name, recent);
    const decision = decide(recent, Date.now(), settings);
    if (decision.kind === "off") return;
    if (decision.kind === "crash-loop") {
      const text =
        `"${name}" failed ${decision.failures} times within ${settings.windowMs} ms (the last with ${reason}: ${message}); ` +
        `it stays failed until an operator starts it`;
      this.#setError(name, "crash-loop", text);
      this.#options.log(name, "error", `crash loop: ${text}`);
      return;
    }
    const { delayMs, attempt } = decision;
    const when = `restart ${attempt} of ${settings.maxRestarts} in ${delayMs} ms`;
    this.#setError(name, reason, `${message}; ${when}`);
    this.#options.log(name, "warn", `failed with ${reason}: ${message}; ${when}`);
    const pending: Pending = { timer: undefined };
    pending.timer = setTimeout(() => {
      const run = this.#run(name, attempt, pending).finally(() => this.#runs.delete(run));
      this.#runs.add(run);
    }, delayMs);
    pending.timer.unref();
    this.#pending.set(name, pending);
  }

  async #run(name: string, attempt: number, pending: Pending): Promise<void> {
    pending.timer = undefined;
    const current = () => !this.#closed && this.#pending.get(name) === pending;
    let outcome: RestartOutcome;
    try {
      outcome = await this.#options.restart(name, attempt, current);
    } catch {
      // The store or the sandbox went away (the host is closing): nothing more to do.
      if (current()) this.#pending.delete(name);
      return;
    }
    if (!current()) return;
    this.#pending.delete(name);
    if (!outcome.ran) return;
    for (const listener of this.#listeners) listener(name);
    if (outcome.error) this.failed(name, outcome.error.code, outcome.error.message);
  }

  #setError(name: string, code: string, message: string): void {
    this.#options.store.packages.setState(name, "failed", { code, message, at: Date.now() });
  }

  /** Cancels a pending restart of `name`, if any (a stop, reload, upgrade or delete). */
  cancel(name: string): void {
    const pending = this.#pending.get(name);
    if (pending?.timer) clearTimeout(pending.timer);
    this.#pending.delete(name);
  }

  /** An operator acted on `name`: its pending restart is cancelled and its failures forgotten (a manual start resets a crash loop). */
  reset(names: Iterable<string>): void {
    for (const name of names) {
      this.cancel(name);
      this.#recent.delete(name);
    }
  }

  /** Whether a restart of `name` is scheduled or running. */
  isPending(name: string): boolean {
    return this.#pending.has(name);
  }

  /** Cancels every pending restart and waits for those under way; nothing is scheduled afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const name of [...this.#pending.keys()]) this.cancel(name);
    await Promise.all(this.#runs);
  }
}

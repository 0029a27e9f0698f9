// Ends an isolate whose hook, request or timer callback used more CPU than
// its budget (`cpuMs`): samples the isolate's CPU clock while calls are in flight.

export interface CpuWatchdogOptions {
  /** Reads the isolate's CPU clock, in ms (isolated-vm `cpuTime`, which keeps counting while code runs). */
  readCpuMs(): number;
  /** CPU time one call may use, in ms. */
  budgetMs: number;
  /** Called once, for the first call found over the budget, with the CPU it used. */
  exceeded(what: string, usedMs: number): void;
}

interface Call {
  what: string;
  usedMs: number;
}

/**
 * How often the clock is read while calls are in flight: a tenth of the
 * budget, between 5 and 50 ms. A call may overrun its budget by about this
 * much before it is caught.
 */
export function sampleInterval(budgetMs: number): number {
  return Math.min(50, Math.max(5, Math.floor(budgetMs / 10)));
}

/**
 * One isolate runs one thing at a time, but several calls may be in flight
 * (requests awaiting the host, a timer firing meanwhile), and the CPU clock
 * cannot tell whose code ran. The CPU the isolate used while calls were in
 * flight is shared equally among them: a lone runaway call is charged all of
 * it, and a slow request is not charged for the busy ones around it.
 */
export class CpuWatchdog {
  readonly #options: CpuWatchdogOptions;
  readonly #calls = new Set<Call>();
  readonly #intervalMs: number;
  #lastCpuMs = 0;
  #timer: NodeJS.Timeout | undefined;
  #tripped = false;
  #stopped = false;

  constructor(options: CpuWatchdogOptions) {
    this.#options = options;
    this.#intervalMs = sampleInterval(options.budgetMs);
  }

  /**
   * Runs `call` and charges the isolate's CPU to it until it settles.
   *
   * @example
   * const outcome = await watchdog.watch(`the "start" hook`, () => dispatch.apply(undefined, ["hook", "start"], options));
   */
  async watch<T>(what: string, call: () => Promise<T>): Promise<T> {
    if (this.#stopped) return call();
    const entry = this.#enter(what);
    try {
      return await call();
    } finally {
      this.#leave(entry);
    }
  }

  /**
   * The same for a call that runs to its end before it returns (on the host's
   * thread): its entry goes at once. `watch` would keep it until the host's
   * microtasks run, which a chain of calls made inside one isolate call
   * (package A calling B thousands of times) puts off to its very end.
   */
  watchSync<T>(what: string, call: () => T): T {
    if (this.#stopped) return call();
    const entry = this.#enter(what);
    try {
      return call();
    } finally {
      this.#leave(entry);
    }
  }

  /** A call starts: what ran before is charged to the calls already in flight. */
  #enter(what: string): Call {
    this.#charge();
    const entry: Call = { what, usedMs: 0 };
    this.#calls.add(entry);
    this.#arm();
    return entry;
  }

  #leave(entry: Call): void {
    this.#charge();
    this.#calls.delete(entry);
  }

  /** A tick of the sampling timer; the timer goes once no call is in flight (not at each call's end: calls come often under load). */
  #tick(): void {
    if (this.#calls.size === 0) this.#disarm();
    else this.#charge();
  }

  #charge(): void {
    let now: number;
    try {
      now = this.#options.readCpuMs();
    } catch {
      return; // the isolate is gone
    }
    const used = Math.max(0, now - this.#lastCpuMs);
    this.#lastCpuMs = now;
    if (this.#calls.size === 0 || used === 0) return;
    const share = used / this.#calls.size;
    for (const call of this.#calls) {
      call.usedMs += share;
      if (call.usedMs > this.#options.budgetMs && !this.#tripped) {
        this.#tripped = true;
        this.#options.exceeded(call.what, call.usedMs);
      }
    }
  }

  #arm(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
    this.#timer.unref();
  }

  #disarm(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Stops sampling for good (the isolate ended). */
  stop(): void {
    this.#stopped = true;
    this.#disarm();
  }
}

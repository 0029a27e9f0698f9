// The host side of an isolate's timers: real Node timers, capped in number,
// that call back into the isolate when due and all vanish with it.

/** Active timers one isolate may hold at once. */
export const MAX_TIMERS = 10_000;

interface Timer {
  handle: NodeJS.Timeout | undefined;
  ms: number;
  repeat: boolean;
}

/**
 * A repeating timer is armed again only once its callback has run, as Node
 * and Deno do: an isolate that cannot keep up with its intervals gets them
 * less often, instead of a queue of due fires growing in the host.
 */
export class HostTimers {
  readonly #timers = new Map<number, Timer>();
  readonly #fire: (id: number) => Promise<void>;

  /** `fire` runs the timer's callback in the isolate and settles when it has run. */
  constructor(fire: (id: number) => Promise<void>) {
    this.#fire = fire;
  }

  set(id: number, delay: number, repeat: boolean): boolean {
    if (this.#timers.size >= MAX_TIMERS || !Number.isSafeInteger(id) || this.#timers.has(id)) return false;
    const ms = Number.isFinite(delay) ? Math.max(0, delay) : 0;
    const timer: Timer = { handle: undefined, ms: repeat ? Math.max(1, ms) : ms, repeat };
    this.#timers.set(id, timer);
    this.#arm(id, timer);
    return true;
  }

  #arm(id: number, timer: Timer): void {
    timer.handle = setTimeout(() => {
      timer.handle = undefined;
      // A timer counts against the limit until its callback has run, so due fires cannot pile up either.
      void this.#fire(id).then(() => {
        if (this.#timers.get(id) !== timer) return;
        if (timer.repeat) this.#arm(id, timer);
        else this.#timers.delete(id);
      });
    }, timer.ms);
    timer.handle.unref();
  }

  clear(id: number): void {
    const timer = this.#timers.get(id);
    if (timer?.handle) clearTimeout(timer.handle);
    this.#timers.delete(id);
  }

  clearAll(): void {
    for (const timer of this.#timers.values()) if (timer.handle) clearTimeout(timer.handle);
    this.#timers.clear();
  }

  get size(): number {
    return this.#timers.size;
  }
}

// setTimeout/setInterval and their clear functions. The host owns the clock:
// it calls back into the isolate through the dispatcher when a timer is due.

import type { HostBridge } from "./bridge.ts";

type TimerCallback = (...args: unknown[]) => void;

interface Timer {
  callback: TimerCallback;
  args: unknown[];
  repeat: boolean;
}

/** Largest delay a timer takes, as in browsers and Deno; larger ones fire at once. */
const MAX_DELAY = 2 ** 31 - 1;

export class Timers {
  readonly #bridge: HostBridge;
  readonly #timers = new Map<number, Timer>();
  #nextId = 1;

  constructor(bridge: HostBridge) {
    this.#bridge = bridge;
  }

  set(callback: unknown, delay: unknown, args: unknown[], repeat: boolean): number {
    if (typeof callback !== "function") throw new TypeError("Callback must be a function");
    let ms = Number(delay);
    if (!Number.isFinite(ms) || ms < 0 || ms > MAX_DELAY) ms = 0;
    const id = this.#nextId++;
    if (!this.#bridge.timerSet(id, Math.floor(ms), repeat)) {
      throw new RangeError("too many timers: this package has reached the host's limit of active timers");
    }
    this.#timers.set(id, { callback: callback as TimerCallback, args, repeat });
    return id;
  }

  clear(id: unknown): void {
    const key = Number(id);
    if (this.#timers.delete(key)) this.#bridge.timerClear(key);
  }

  /** Runs a due timer; an error thrown by its callback propagates to the dispatcher. */
  fire(id: number): void {
    const timer = this.#timers.get(id);
    if (!timer) return;
    if (!timer.repeat) this.#timers.delete(id);
    timer.callback(...timer.args);
  }

  install(global: Record<string, unknown>): void {
    global.setTimeout = (callback: unknown, delay?: unknown, ...args: unknown[]) =>
      this.set(callback, delay, args, false);
    global.setInterval = (callback: unknown, delay?: unknown, ...args: unknown[]) =>
      this.set(callback, delay, args, true);
    global.clearTimeout = (id: unknown) => this.clear(id);
    global.clearInterval = (id: unknown) => this.clear(id);
  }
}

// The host side of an isolate's timers: real Node timers, capped in number,
// that call back into the isolate when due and all vanish with it.

/** Active timers one isolate may hold at once. */
export const MAX_TIMERS = 10_000;

export class HostTimers {
  readonly #handles = new Map<number, NodeJS.Timeout>();
  readonly #fire: (id: number) => void;

  constructor(fire: (id: number) => void) {
    this.#fire = fire;
  }

  set(id: number, delay: number, repeat: boolean): boolean {
    if (this.#handles.size >= MAX_TIMERS || !Number.isSafeInteger(id) || this.#handles.has(id)) return false;
    const ms = Number.isFinite(delay) ? Math.max(0, delay) : 0;
    const handle = repeat
      ? setInterval(() => this.#fire(id), Math.max(1, ms))
      : setTimeout(() => {
          this.#handles.delete(id);
          this.#fire(id);
        }, ms);
    handle.unref();
    this.#handles.set(id, handle);
    return true;
  }

  clear(id: number): void {
    const handle = this.#handles.get(id);
    if (handle) clearTimeout(handle);
    this.#handles.delete(id);
  }

  clearAll(): void {
    for (const handle of this.#handles.values()) clearTimeout(handle);
    this.#handles.clear();
  }

  get size(): number {
    return this.#handles.size;
  }
}

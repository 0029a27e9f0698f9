// The sandbox process's recent crashes: how long to wait before the next
// restart (exponential backoff), and whether the crashes make a loop.

export interface CrashPolicy {
  /** Delay before the restart after a first crash; doubled for each further crash in the window. */
  backoffMs: number;
  maxBackoffMs: number;
  /** More crashes than this within the window are a crash loop. */
  maxCrashes: number;
  windowMs: number;
}

export class CrashRecord {
  readonly #policy: CrashPolicy;
  #times: number[] = [];
  #total = 0;

  constructor(policy: CrashPolicy) {
    this.#policy = policy;
  }

  /** Records a crash at `now`; returns how long to wait before restarting. */
  add(now: number): number {
    this.#total++;
    this.#times.push(now);
    const recent = this.recent(now);
    return Math.min(this.#policy.maxBackoffMs, this.#policy.backoffMs * 2 ** Math.min(30, recent - 1));
  }

  /** Crashes within the window before `now`. */
  recent(now = Date.now()): number {
    this.#times = this.#times.filter((at) => now - at < this.#policy.windowMs);
    return this.#times.length;
  }

  isLoop(now = Date.now()): boolean {
    return this.recent(now) > this.#policy.maxCrashes;
  }

  get total(): number {
    return this.#total;
  }
}

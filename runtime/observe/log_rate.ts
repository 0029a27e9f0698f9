// A token bucket per package for console output: so many lines and bytes a
// second, with one second's worth as burst. What does not fit is dropped.

export interface LogRateLimit {
  /** Lines per second; 0: no limit. */
  lines: number;
  /** Bytes per second; 0: no limit. */
  bytes: number;
}

export class LogRate {
  readonly #limit: LogRateLimit;
  #lines: number;
  #bytes: number;
  #at: number;

  constructor(limit: LogRateLimit, now = performance.now()) {
    this.#limit = limit;
    this.#lines = limit.lines;
    this.#bytes = limit.bytes;
    this.#at = now;
  }

  /** Takes one line of `bytes` from the bucket; false (and nothing taken) when it does not fit. */
  take(bytes: number, now = performance.now()): boolean {
    this.#refill(now);
    const { lines, bytes: byteLimit } = this.#limit;
    if (lines > 0 && this.#lines < 1) return false;
    // A line larger than a whole second's budget still passes once the bucket is full.
    if (byteLimit > 0 && this.#bytes < Math.min(bytes, byteLimit)) return false;
    if (lines > 0) this.#lines -= 1;
    if (byteLimit > 0) this.#bytes -= Math.min(bytes, byteLimit);
    return true;
  }

  #refill(now: number): void {
    const seconds = Math.max(0, now - this.#at) / 1000;
    this.#at = now;
    this.#lines = Math.min(this.#limit.lines, this.#lines + seconds * this.#limit.lines);
    this.#bytes = Math.min(this.#limit.bytes, this.#bytes + seconds * this.#limit.bytes);
  }
}

// Packages' console output: rate-limited per package, written to SQLite in
// batches (bounded there), and passed on to whoever follows a package's log.

import type { LogEntry, LogLevel, NewLogEntry, Store } from "../../db/index.ts";
import { cutMessage } from "../../db/log_store.ts";
import { IsopodError } from "../errors.ts";
import { LogRate, type LogRateLimit } from "./log_rate.ts";

export interface LogFollower {
  /** A new line of the followed package. Called synchronously: must not throw or wait. */
  entry(entry: LogEntry): void;
  /** The hub is closing (the host shuts down): no more lines will come. */
  end(): void;
}

export interface LogHubOptions {
  rate: LogRateLimit;
  /** Followers open at once, over all packages. */
  maxFollowers: number;
}

/** Lines written in one transaction at most; a flood is cut into batches of this size. */
const MAX_BATCH = 500;
/** How often a package that had lines dropped is told so in its own log. */
const DROP_REPORT_MS = 1_000;
/** How often a failing database write is reported on the host's stderr. */
const WRITE_ERROR_REPORT_MS = 60_000;

interface Dropped {
  lines: number;
  bytes: number;
  /** Dropped since the last report line. */
  unreported: number;
  unreportedBytes: number;
}

export class LogHub {
  readonly #store: Store;
  readonly #options: LogHubOptions;
  readonly #followers = new Map<string, Set<LogFollower>>();
  readonly #rates = new Map<string, LogRate>();
  readonly #dropped = new Map<string, Dropped>();
  #followerCount = 0;
  #pending: NewLogEntry[] = [];
  #flushTimer: NodeJS.Immediate | undefined;
  #reportTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #writeErrors = 0;
  #writeErrorAt = 0;

  constructor(store: Store, options: LogHubOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Takes one console line of a package; over the package's rate it is dropped and counted. */
  append(pkg: string, level: LogLevel, message: string, ts = Date.now()): void {
    if (this.#closed) return;
    const text = cutMessage(message);
    if (!this.#rateOf(pkg).take(Buffer.byteLength(text))) {
      this.#drop(pkg, text);
      return;
    }
    this.#queue({ package: pkg, level, message: text, ts });
  }

  #rateOf(pkg: string): LogRate {
    let rate = this.#rates.get(pkg);
    if (!rate) this.#rates.set(pkg, (rate = new LogRate(this.#options.rate)));
    return rate;
  }

  #queue(entry: NewLogEntry): void {
    this.#pending.push(entry);
    if (this.#pending.length >= MAX_BATCH) this.flush();
    else this.#flushTimer ??= setImmediate(() => this.flush());
  }

  /** Writes the lines taken so far and hands them to followers. */
  flush(): void {
    if (this.#flushTimer) clearImmediate(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    let stored: LogEntry[];
    try {
      stored = this.#store.logs.appendMany(batch);
    } catch (error) {
      // A full disk or a closed database loses these lines, never the host (this runs outside any request).
      this.#reportWriteError(batch.length, error);
      return;
    }
    stored.forEach((entry, index) => this.#tell(batch[index]!.package, entry));
  }

  #reportWriteError(lines: number, error: unknown): void {
    this.#writeErrors += lines;
    if (Date.now() - this.#writeErrorAt < WRITE_ERROR_REPORT_MS) return;
    this.#writeErrorAt = Date.now();
    console.error(`isopod: could not write ${this.#writeErrors} log line(s) to the database:`, error);
    this.#writeErrors = 0;
  }

  #tell(pkg: string, entry: LogEntry): void {
    for (const follower of this.#followers.get(pkg) ?? []) {
      try {
        follower.entry(entry);
      } catch {
        // A follower's own failure is its business; the others still get the line.
      }
    }
  }

  #drop(pkg: string, text: string): void {
    this.countDropped(pkg, 1, Buffer.byteLength(text));
  }

  /** Counts (and reports, as for the rate) lines of `pkg` dropped before they reached the hub, by the sandbox process. */
  countDropped(pkg: string, lines: number, bytes: number): void {
    if (this.#closed) return;
    const dropped = this.#dropped.get(pkg) ?? { lines: 0, bytes: 0, unreported: 0, unreportedBytes: 0 };
    dropped.lines += lines;
    dropped.bytes += bytes;
    dropped.unreported += lines;
    dropped.unreportedBytes += bytes;
    this.#dropped.set(pkg, dropped);
    if (!this.#reportTimer) {
      this.#reportTimer = setTimeout(() => this.#reportDrops(), DROP_REPORT_MS);
      this.#reportTimer.unref();
    }
  }

  /** One warning line per package that lost lines since the last report; it is not itself rate-limited. */
  #reportDrops(): void {
    this.#reportTimer = undefined;
    const { lines, bytes } = this.#options.rate;
    for (const [pkg, dropped] of this.#dropped) {
      if (dropped.unreported === 0) continue;
      const message =
        `isopod: dropped ${dropped.unreported} console line(s) (${dropped.unreportedBytes} bytes) of "${pkg}" ` +
        `over the rate limit of ${lines || "unlimited"} lines and ${bytes || "unlimited"} bytes per second`;
      dropped.unreported = 0;
      dropped.unreportedBytes = 0;
      this.#queue({ package: pkg, level: "warn", message, ts: Date.now() });
    }
    this.flush();
  }

  /** Console lines of `pkg` dropped over the rate limit since the host started. */
  dropped(pkg: string): { lines: number; bytes: number } {
    const dropped = this.#dropped.get(pkg);
    return { lines: dropped?.lines ?? 0, bytes: dropped?.bytes ?? 0 };
  }

  /** The newest `count` lines, oldest first (lines still queued are written first). */
  tail(pkg: string, count: number): LogEntry[] {
    this.flush();
    return this.#store.logs.tail(pkg, count);
  }

  /** Lines after the one with id `afterId` (an SSE client's `Last-Event-ID`), at most `count`. */
  since(pkg: string, afterId: number, count: number): LogEntry[] {
    this.flush();
    return this.#store.logs.since(pkg, afterId, count);
  }

  /**
   * Passes each new line of `pkg` to `follower`; returns the function that
   * stops it. Refused (`rate_limited`) when as many followers as allowed are open.
   */
  follow(pkg: string, follower: LogFollower): () => void {
    if (this.#closed) throw new IsopodError("not_running", "the host is shutting down");
    if (this.#followerCount >= this.#options.maxFollowers) {
      throw new IsopodError(
        "rate_limited",
        `cannot follow the log of "${pkg}": ${this.#followerCount} log followers are open, the most this host allows; close one and retry`,
      );
    }
    const set = this.#followers.get(pkg) ?? new Set();
    set.add(follower);
    this.#followers.set(pkg, set);
    this.#followerCount += 1;
    return () => {
      if (!set.delete(follower)) return;
      this.#followerCount -= 1;
      if (set.size === 0 && this.#followers.get(pkg) === set) this.#followers.delete(pkg);
    };
  }

  get followerCount(): number {
    return this.#followerCount;
  }

  /** Writes what is queued, ends every follower and takes no more lines. */
  close(): void {
    if (this.#closed) return;
    if (this.#reportTimer) clearTimeout(this.#reportTimer);
    this.#reportTimer = undefined;
    this.flush();
    this.#closed = true;
    for (const set of [...this.#followers.values()]) {
      for (const follower of [...set]) {
        try {
          follower.end();
        } catch {
          // Ending is best effort; the host is going away.
        }
      }
      set.clear();
    }
    this.#followers.clear();
    this.#followerCount = 0;
  }
}

// A few isolates made ahead, the runtime's first phase already run in them
// (context, runtime script), so that a package's start only boots one.

import { VmIsolate, type CachedScript } from "./ivm.ts";
import { runtimeScript } from "./runtime_source.ts";

/** Bounds the runtime's run in a spare isolate (its synchronous part). */
const PREPARE_TIMEOUT_MS = 5_000;
/**
 * How long after the last take the pool starts to refill. Made at once, the
 * spare competed with the start that took one (creating an isolate holds this
 * thread, its runtime run a core) and that start was no faster than one
 * without the pool (bench/sandbox.ts); starts in a burst take the normal way.
 */
const REFILL_DELAY_MS = 20;

export interface WarmIsolatesOptions {
  /** The memory limit spare isolates are made with: the host's default. A start with another limit takes none. */
  memoryMb: number;
  /** Spare isolates kept ready, 1–2 (each ~2 MiB). */
  size?: number;
  /** The runtime's first script; runtime_source.ts `runtimeScript` unless given. */
  script?: () => CachedScript;
}

/**
 * The pool of one sandbox process. `take` answers a prepared isolate of that
 * memory limit, or undefined at once (the start then makes its own: no start
 * waits on the pool); a take refills it in the background once takes pause, one isolate at
 * a time, through isolated-vm's async calls. A spare isolate has never run
 * package code and goes to one package only: nothing crosses between packages.
 */
export class WarmIsolates {
  readonly memoryMb: number;
  readonly size: number;
  readonly #script: () => CachedScript;
  readonly #spares: VmIsolate[] = [];
  #filling: Promise<void> | undefined;
  #later: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: WarmIsolatesOptions) {
    if (!Number.isSafeInteger(options.memoryMb) || options.memoryMb <= 0) throw new RangeError(`warm isolates need a positive memory limit, not ${options.memoryMb}`);
    this.memoryMb = options.memoryMb;
    this.size = Math.min(2, Math.max(1, options.size ?? 1));
    this.#script = options.script ?? runtimeScript;
  }

  /** A prepared isolate for a start with `memoryMb`, or undefined (none ready, another limit, closed). */
  take(memoryMb: number): VmIsolate | undefined {
    if (this.#closed || memoryMb !== this.memoryMb) return undefined;
    let taken: VmIsolate | undefined;
    while (!taken && this.#spares.length > 0) {
      const spare = this.#spares.shift()!;
      // One that died while it waited (disposed, out of memory) is dropped, never handed out.
      if (!spare.isDisposed && spare.isPrepared) taken = spare;
      else dispose(spare);
    }
    this.#refillLater();
    return taken;
  }

  /** How many spare isolates are ready now. */
  get ready(): number {
    return this.#spares.length;
  }

  /** The spare isolates as they are now (a copy of the list), for tests and probes. */
  get spares(): readonly VmIsolate[] {
    return [...this.#spares];
  }

  /**
   * Fills the pool up to its size, after the current task (never in the
   * caller's); resolves once it is full, or closed. Never rejects: a spare
   * that fails to prepare is dropped and the next take tries again.
   */
  refill(): Promise<void> {
    clearTimeout(this.#later);
    if (this.#closed) return Promise.resolve();
    this.#filling ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#fill())
      .finally(() => (this.#filling = undefined));
    return this.#filling;
  }

  /** Refills once no take has come for REFILL_DELAY_MS (each take puts it off again). */
  #refillLater(): void {
    clearTimeout(this.#later);
    this.#later = setTimeout(() => void this.refill(), REFILL_DELAY_MS);
    this.#later.unref();
  }

  async #fill(): Promise<void> {
    while (!this.#closed && this.#spares.length < this.size) {
      const spare = new VmIsolate(this.memoryMb);
      try {
        await spare.prepare(this.#script(), PREPARE_TIMEOUT_MS);
      } catch {
        dispose(spare);
        return;
      }
      if (this.#closed) dispose(spare);
      else this.#spares.push(spare);
    }
  }

  /** Disposes every spare isolate, and any being made; takes answer undefined from now on. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#later);
    for (const spare of this.#spares.splice(0)) dispose(spare);
    await this.#filling;
  }
}

function dispose(isolate: VmIsolate): void {
  try {
    isolate.dispose();
  } catch {
    // Already disposed.
  }
}

// The steps of an operation on stderr, one line each: on a terminal the current
// step's line is rewritten as its counts grow; elsewhere each step's line is written once, with its final counts.

import type { Writable } from "node:stream";
import { progressKey, progressText, type ProgressEvent } from "../common/progress_event.ts";

export class StepLines {
  readonly #out: Writable;
  /** Whether the current line is rewritten in place (a terminal). */
  readonly live: boolean;
  #key: string | undefined;
  #held: ProgressEvent | undefined;

  /** `live`: rewrite the current line in place (a terminal). */
  constructor(out: Writable, live: boolean) {
    this.#out = out;
    this.live = live;
  }

  step(event: ProgressEvent): void {
    const key = progressKey(event);
    if (key !== this.#key) this.end();
    this.#key = key;
    if (this.live) this.#out.write(`\r${progressText(event)}\x1b[K`);
    else this.#held = event;
  }

  /** Finishes the current line. */
  end(): void {
    if (this.#key === undefined) return;
    if (this.live) this.#out.write("\n");
    else if (this.#held) this.#out.write(`${progressText(this.#held)}\n`);
    this.#key = undefined;
    this.#held = undefined;
  }
}

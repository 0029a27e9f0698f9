// What the control plane does when its sandbox process crashes and comes
// back: says so in the host log, then brings back the packages that should
// run, unless the process is crashing in a loop.

import type { SupervisionEvent } from "../../sandbox/index.ts";
import type { BatchReport } from "./batch.ts";
import { messageOf } from "../errors.ts";
import type { StatsCounters } from "../observe/stats_counters.ts";

export interface RecoveryTarget {
  recover(): Promise<BatchReport>;
}

export class SandboxRecovery {
  readonly #packages: RecoveryTarget;
  readonly #counters: StatsCounters;
  readonly #log: (line: string) => void;
  #running: Promise<void> = Promise.resolve();

  constructor(packages: RecoveryTarget, counters: StatsCounters, log: (line: string) => void) {
    this.#packages = packages;
    this.#counters = counters;
    this.#log = log;
  }

  handle(event: SupervisionEvent): void {
    if (event.type === "crash") {
      const lost = event.packages.length === 0 ? "no package was running" : `${event.packages.length} package(s) failed with sandbox-crash`;
      this.#log(`${event.message}; ${lost}; restarting it in ${event.restartInMs} ms`);
      return;
    }
    if (event.crashLoop) {
      this.#log(
        `sandbox process restarted (pid ${event.pid}) after ${event.crashes} crashes in the crash window: a crash loop; ` +
          "packages it ran stay failed until an operator starts them",
      );
      return;
    }
    this.#running = this.#running.then(() => this.#recover(event.pid));
  }

  async #recover(pid: number): Promise<void> {
    try {
      const report = await this.#packages.recover();
      const started = report.results.filter((result) => result.ok).map((result) => result.name);
      for (const name of started) this.#counters.countRestart(name);
      const failed = report.results.filter((result) => !result.ok).map((result) => `${result.name} (${messageOf(result.error)})`);
      this.#log(
        `sandbox process restarted (pid ${pid}): ${started.length} package(s) running again` +
          (failed.length > 0 ? `; not brought back: ${failed.join(", ")}` : ""),
      );
    } catch (error) {
      this.#log(`sandbox process restarted (pid ${pid}), but bringing packages back failed: ${messageOf(error)}`);
    }
  }

  /** Resolves once no recovery is under way (the host waits for it before it closes). */
  idle(): Promise<void> {
    return this.#running;
  }
}

// The restart policy, as PM2's: what a package's manifest asks for, filled in
// and bounded by the host, and what to do after each failure (restart when, or stop: a crash loop).

import type { RestartConfig } from "../config.ts";
import type { RestartRequest } from "../packages/manifest.ts";

/** One package's policy, every field set. */
export interface RestartSettings {
  /** Restarts allowed within `windowMs`; one more failure is a crash loop. 0: never restarted. */
  maxRestarts: number;
  windowMs: number;
  /** Delay before the first restart in a window; doubled for each further failure. */
  backoffMs: number;
  maxBackoffMs: number;
}

/** What follows a failure: a restart after `delayMs`, or none (restarts off, or a crash loop). */
export type RestartDecision =
  | { kind: "restart"; delayMs: number; attempt: number }
  | { kind: "crash-loop"; failures: number }
  | { kind: "off" };

/**
 * The package's request with the host's defaults filled in. Delays never go
 * below the host's floor, so no manifest can make the host restart a package
 * in a tight loop.
 */
export function restartSettingsOf(request: RestartRequest | undefined, config: RestartConfig): RestartSettings {
  const backoffMs = Math.max(request?.backoffMs ?? config.backoffMs, config.minBackoffMs);
  return {
    maxRestarts: request?.maxRestarts ?? config.maxRestarts,
    windowMs: request?.windowMs ?? config.windowMs,
    backoffMs,
    maxBackoffMs: Math.max(request?.maxBackoffMs ?? config.maxBackoffMs, backoffMs),
  };
}

/** The delay before the restart that follows the `failures`-th failure in the window (1-based). */
export function backoffDelay(failures: number, settings: RestartSettings): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  return Math.min(settings.backoffMs * 2 ** exponent, settings.maxBackoffMs);
}

/**
 * Decides after a failure at `now`, given the times of the failures before it
 * that are still in the window (`recent`, updated in place).
 *
 * @example
 * const recent: number[] = [];
 * decide(recent, Date.now(), { maxRestarts: 5, windowMs: 60_000, backoffMs: 500, maxBackoffMs: 30_000 });
 * // { kind: "restart", delayMs: 500, attempt: 1 }
 */
export function decide(recent: number[], now: number, settings: RestartSettings): RestartDecision {
  if (settings.maxRestarts === 0) return { kind: "off" };
  const kept = recent.filter((at) => now - at < settings.windowMs);
  recent.splice(0, recent.length, ...kept, now);
  const failures = recent.length;
  if (failures > settings.maxRestarts) return { kind: "crash-loop", failures };
  return { kind: "restart", delayMs: backoffDelay(failures, settings), attempt: failures };
}

// The timeouts of calls into isolates (on the host's thread or the isolate's), rounded up so that
// their deadlines fall on a shared grid: isolated-vm's timer thread wakes once per deadline.

/**
 * isolated-vm arms a timer for every timed call and its thread sleeps until
 * each deadline, even once the call is long over: under load that was one
 * wake-up per call (~9 % of the sandbox process's CPU on the /pkg hello load).
 * Deadlines on a grid this coarse let one wake-up retire the timers of many calls.
 */
export const DEADLINE_GRID_MS = 50;

/** A timeout of at least `ms` whose deadline is the next grid point: at most `DEADLINE_GRID_MS` later than asked. */
export function gridTimeout(ms: number, now = performance.now()): number {
  const deadline = Math.ceil((now + ms) / DEADLINE_GRID_MS) * DEADLINE_GRID_MS;
  return Math.max(ms, Math.ceil(deadline - now));
}

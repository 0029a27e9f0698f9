// How long the event loop went without turning while some work ran: shows
// whether the work ran on the host's thread (it stalls the loop) or on an isolate's own.

/** The longest the event loop went without running a 1 ms interval, while `work` ran. */
export async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  try {
    await work();
    // One more turn of the interval: a stall that ends with the work is only seen then.
    await new Promise((resolve) => setTimeout(resolve, 5));
  } finally {
    clearInterval(timer);
  }
  return longest;
}

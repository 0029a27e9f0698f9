// Bounded retries with exponential backoff, for calls to a source that may
// be briefly unreachable. Only errors the caller calls transient are retried.

export interface RetryOptions {
  /** Retries after the first attempt; 0 tries once. */
  retries: number;
  /** Delay before the first retry, doubled for each next one. */
  delayMs: number;
  /** Whether an error is worth another attempt. */
  isTransient: (error: unknown) => boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `fn` until it succeeds, fails with a lasting error, or runs out of retries (then its last error is thrown). */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= options.retries || !options.isTransient(error)) throw error;
      await sleep(options.delayMs * 2 ** attempt);
    }
  }
}

// Races a promise against a deadline, so that no wait in the host can hang.

export class DeadlineError extends Error {
  override name = "DeadlineError";
}

/**
 * Resolves like `promise`, or rejects with a DeadlineError after `ms`
 * (and runs `onTimeout` first, to cancel the work that is late).
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new DeadlineError(`did not finish within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

// Counts each package's /pkg requests in flight, from the call until the last
// byte of the answer, so that a stop can let them finish within a grace period.

import type { ChunkSource, SandboxResponse } from "../../sandbox/index.ts";

export class InFlight {
  readonly #counts = new Map<string, number>();
  readonly #idle = new Map<string, (() => void)[]>();

  /** Counts one request of `name`; the returned function ends it (calling it again does nothing). */
  begin(name: string): () => void {
    this.#counts.set(name, (this.#counts.get(name) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const left = (this.#counts.get(name) ?? 1) - 1;
      if (left > 0) return void this.#counts.set(name, left);
      this.#counts.delete(name);
      for (const wake of this.#idle.get(name)?.splice(0) ?? []) wake();
      this.#idle.delete(name);
    };
  }

  /** The answer, with its request ended when its body is done: at once for bytes, at the end, error or cancel of a stream. */
  track(answer: SandboxResponse, end: () => void): SandboxResponse {
    if (answer.body === null || answer.body instanceof Uint8Array) {
      end();
      return answer;
    }
    const source = answer.body;
    const body: ChunkSource = {
      read: async () => {
        try {
          const chunk = await source.read();
          if (chunk === null) end();
          return chunk;
        } catch (error) {
          end();
          throw error;
        }
      },
      cancel: (reason) => {
        end();
        source.cancel(reason);
      },
    };
    return { ...answer, body };
  }

  count(name: string): number {
    return this.#counts.get(name) ?? 0;
  }

  /** Resolves when `name` has no request in flight, or after `ms`; true when they all finished. */
  settled(name: string, ms: number): Promise<boolean> {
    if (this.count(name) === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiters = this.#idle.get(name) ?? [];
      this.#idle.set(name, waiters);
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(wake), 1);
        resolve(false);
      }, ms);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      waiters.push(wake);
    });
  }
}

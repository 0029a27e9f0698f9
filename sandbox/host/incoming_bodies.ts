// Bodies of requests sent to a package, held on the host until the isolate
// pulls them chunk by chunk (so a slow package never buffers a whole upload).

import type { PullResult } from "../isolate/core/bridge.ts";
import type { ChunkSource } from "../sandbox.ts";

export class IncomingBodies {
  readonly #sources = new Map<number, ChunkSource>();
  #nextId = 1;

  open(source: ChunkSource): number {
    const id = this.#nextId++;
    this.#sources.set(id, source);
    return id;
  }

  async read(id: number): Promise<PullResult> {
    const source = this.#sources.get(id);
    if (!source) return { error: { name: "TypeError", message: "the request body is closed" } };
    try {
      const chunk = await source.read();
      if (chunk === null) {
        this.#sources.delete(id);
        return { done: true };
      }
      return { chunk };
    } catch (error) {
      this.#sources.delete(id);
      return { error: { name: "TypeError", message: `error reading the request body: ${(error as Error).message}` } };
    }
  }

  close(id: number): void {
    this.#sources.get(id)?.cancel("the request is over");
    this.#sources.delete(id);
  }

  closeAll(): void {
    for (const id of [...this.#sources.keys()]) this.close(id);
  }
}

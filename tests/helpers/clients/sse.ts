// Reads server-sent events from a response body, one event at a time, each
// read bounded by a deadline. Comment lines (keep-alives) are skipped.

export interface SseEvent {
  event: string;
  id: string | undefined;
  data: string;
}

export class SseReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = "";

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.getReader();
  }

  /** The next event, or undefined when the stream ended. Rejects after `timeoutMs`. */
  async next(timeoutMs = 5_000): Promise<SseEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = this.#take();
      if (event) return event;
      const chunk = await this.#read(deadline - Date.now());
      if (chunk === undefined) return undefined;
      this.#buffer += this.#decoder.decode(chunk, { stream: true });
    }
  }

  /** Events until one matches, bounded in count and time. */
  async until(match: (event: SseEvent) => boolean, timeoutMs = 5_000): Promise<SseEvent[]> {
    const seen: SseEvent[] = [];
    const deadline = Date.now() + timeoutMs;
    while (seen.length < 100_000) {
      const event = await this.next(Math.max(1, deadline - Date.now()));
      if (!event) throw new Error(`stream ended before the event came; saw ${seen.length}`);
      seen.push(event);
      if (match(event)) return seen;
    }
    throw new Error("too many events");
  }

  async #read(timeoutMs: number): Promise<Uint8Array | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no server-sent event within the deadline`)), Math.max(1, timeoutMs));
    });
    try {
      const { done, value } = await Promise.race([this.#reader.read(), late]);
      return done ? undefined : value;
    } finally {
      clearTimeout(timer);
    }
  }

  #take(): SseEvent | undefined {
    for (;;) {
      const end = this.#buffer.indexOf("\n\n");
      if (end < 0) return undefined;
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      const event: SseEvent = { event: "message", id: undefined, data: "" };
      let hasField = false;
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        hasField = true;
        if (field === "event") event.event = value;
        else if (field === "id") event.id = value;
        else if (field === "data") event.data = event.data ? `${event.data}\n${value}` : value;
      }
      if (hasField) return event;
    }
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => undefined);
  }
}

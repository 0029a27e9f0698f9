// A package's log as server-sent events: the backlog, then each new line as
// an event `log`. A client that stops reading is cut off, never buffered for.

import type { LogEntry, LogHub } from "../runtime/index.ts";

/** Bytes queued for one client before it counts as not reading and is cut off. */
export const MAX_QUEUED_BYTES = 1024 * 1024;
/** A comment line this often keeps proxies from timing out and finds dead peers. */
const KEEP_ALIVE_MS = 15_000;

export interface LogEntryView {
  ts: string;
  level: LogEntry["level"];
  message: string;
}

export const entryView = (entry: LogEntry): LogEntryView => ({
  ts: new Date(entry.ts).toISOString(),
  level: entry.level,
  message: entry.message,
});

const eventOf = (entry: LogEntry): string => `event: log\nid: ${entry.id}\ndata: ${JSON.stringify(entryView(entry))}\n\n`;

export interface FollowOptions {
  /** Lines sent before the live ones (read after subscribing, so none falls in between). */
  backlog: () => LogEntry[];
  /** Called when the client is cut off for not reading; true when it closed the client's connection. */
  onCut?: () => boolean;
  maxQueuedBytes?: number;
}

/**
 * Follows `pkg` and returns the event stream. Throws (before any byte is
 * sent) when the hub refuses another follower.
 */
export function followLog(logs: LogHub, pkg: string, options: FollowOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let live = false;
  let done = false;
  const early: LogEntry[] = [];
  let keepAlive: NodeJS.Timeout | undefined;
  // The backlog may be larger than the bound; only what queues up beyond it counts against the client.
  let allowance = options.maxQueuedBytes ?? MAX_QUEUED_BYTES;

  const finish = () => {
    done = true;
    unfollow();
    clearInterval(keepAlive);
  };
  const send = (text: string) => {
    if (done) return;
    const bytes = encoder.encode(text);
    if (!live) allowance += bytes.byteLength;
    controller.enqueue(bytes);
    // With a high-water mark of 0, the desired size is minus what is queued.
    if (-(controller.desiredSize ?? 0) > allowance) {
      finish();
      // Closing the connection ends the stream quietly; without one, the reader sees why it ended.
      if (!options.onCut?.()) {
        controller.error(new Error(`log follower of "${pkg}" cut off: it left more than ${allowance} bytes unread`));
      }
    }
  };
  const unfollow = logs.follow(pkg, {
    entry: (entry) => (live ? send(eventOf(entry)) : early.push(entry)),
    end: () => {
      if (done) return;
      finish();
      controller.close();
    },
  });

  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        let lastId = 0;
        for (const entry of options.backlog()) {
          send(eventOf(entry));
          lastId = entry.id;
        }
        for (const entry of early.splice(0)) if (entry.id > lastId) send(eventOf(entry));
        live = true;
        // Opens the stream for clients that wait for a first byte.
        send(": following\n\n");
        keepAlive = setInterval(() => send(": keep-alive\n\n"), KEEP_ALIVE_MS);
        keepAlive.unref();
      },
      cancel() {
        finish();
      },
    },
    { highWaterMark: 0, size: (chunk) => chunk.byteLength },
  );
}

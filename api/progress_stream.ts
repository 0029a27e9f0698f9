// An operation answered as NDJSON when the client asks for it: one line per step
// as it happens, then one line with the result or the error (docs/reference/api.md#progress).

import type { Context } from "hono";
import type { ProgressEvent } from "../common/progress_event.ts";
import { errorAnswerOf } from "./error_response.ts";

export const NDJSON = "application/x-ndjson";

/** Whether the request's Accept header names NDJSON. */
export function wantsProgress(c: Context): boolean {
  return (c.req.header("accept") ?? "").split(",").some((part) => part.split(";")[0]!.trim().toLowerCase() === NDJSON);
}

/** Reports each step of the operation to the listener it is given. */
export type Observed<T> = (listener: (event: ProgressEvent) => void) => Promise<T>;

/**
 * Answers 200 at once and streams `{"type":"step",...}` lines while `run` works, then
 * `{"type":"result",...answer(value)}` or `{"type":"error","status":422,"error":{code,message}}`.
 * A client that goes away stops the lines, never the operation: it ends as it would have.
 */
export function progressStream<T>(c: Context, run: Observed<T>, answer: (value: T) => Record<string, unknown>): Response {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;
  const send = (line: Record<string, unknown>) => {
    if (!open) return;
    try {
      controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
    } catch {
      open = false;
    }
  };
  const finish = () => {
    if (!open) return;
    open = false;
    controller.close();
  };
  const where = `${c.req.method} ${c.req.path} (streamed)`;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      // Not awaited by the stream: the operation runs to its end whether or not anyone reads.
      void run((event) => send({ type: "step", ...event })).then(
        (value) => send({ type: "result", ...answer(value) }),
        (error: unknown) => {
          const { status, body } = errorAnswerOf(error, where);
          send({ type: "error", status, ...body });
        },
      ).finally(finish);
    },
    cancel() {
      open = false;
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": `${NDJSON}; charset=utf-8`, "cache-control": "no-store", "x-content-type-options": "nosniff" } });
}

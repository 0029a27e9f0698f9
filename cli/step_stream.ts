// Calls a route that streams its steps as NDJSON (docs/reference/api.md#progress):
// each step goes to `onStep`; the last line is the answer or the error, as `Client.call` would give them.

import type { ProgressEvent } from "../common/progress_event.ts";
import { apiError, type Client } from "./client.ts";
import { CliError, EXIT } from "./errors.ts";

const NDJSON = "application/x-ndjson";

type Line = { type: "step" } & ProgressEvent | { type: "result"; [key: string]: unknown } | { type: "error"; status: number; error: unknown };

async function* linesOf(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffered = "";
  for await (const text of body.pipeThrough(new TextDecoderStream())) {
    buffered += text;
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    yield* lines.filter((line) => line.trim() !== "");
  }
  if (buffered.trim() !== "") yield buffered;
}

/** What the last line says: the answer under `key`, or the host's error as `call` throws it. */
function outcomeOf<T>(line: Line, key: string): T {
  if (line.type === "error") throw apiError(line.status, { error: line.error });
  if (line.type === "result") return line[key] as T;
  throw new Error(`not an outcome: ${JSON.stringify(line)}`);
}

/**
 * Sends the request asking for the steps; answers what the result line holds under `key`.
 * A host that answers plain JSON (an older one, or an error before the operation began) works as with `call`.
 */
export async function callWithSteps<T>(client: Client, request: { method: string; route: string; body?: unknown; key: string }, onStep: (event: ProgressEvent) => void): Promise<T> {
  const { url, timeoutMs } = client.connection;
  const response = await client.send(request.method, request.route, request.body, { accept: `${NDJSON}, application/json;q=0.9` });
  if (!(response.headers.get("content-type") ?? "").startsWith(NDJSON) || response.body === null) return client.answerOf<T>(response);
  try {
    for await (const text of linesOf(response.body)) {
      const line = JSON.parse(text) as Line;
      if (line.type === "step") {
        const event: Record<string, unknown> = { ...line };
        delete event.type;
        onStep(event as ProgressEvent);
      } else return outcomeOf<T>(line, request.key);
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    if ((error as Error).name === "TimeoutError") {
      throw new CliError(EXIT.unreachable, `no answer from ${url} within ${timeoutMs / 1000} s; the operation may still be running (see isopod ops), or raise --timeout`);
    }
    throw new CliError(EXIT.unreachable, `the host's answer broke off (${(error as Error).message}); the operation may still be running (see isopod ops)`);
  }
  throw new CliError(EXIT.unreachable, `${url} ended its answer before the operation did; see isopod ops for how it went`);
}

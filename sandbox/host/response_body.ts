// A response body the host reads from an isolate: inline bytes as they are,
// or a stream pulled a chunk (or the chunks read ahead) at a time, each pull under the wall time.

import { DeadlineError } from "../../common/deadline.ts";
import type { BodyPull, ResponseHead } from "../isolate/core/bridge.ts";
import { SandboxFailure } from "../failure.ts";
import type { SandboxResponse } from "../sandbox.ts";

/** What reading a streamed body needs from its isolate. */
export interface BodySource {
  /** The next chunk, within the wall time and CPU budget; rejects with DeadlineError when it took too long. */
  pull(streamId: number): Promise<BodyPull>;
  cancel(streamId: number, reason: string): void;
  /** After a pull timed out: ends the isolate if it cannot even answer a ping. */
  probe(): void;
  /** The failure a call ended with, ending the isolate if the failure killed it. */
  failed(error: unknown): SandboxFailure;
}

/** `done` runs once, when the body is over: read to the end, failed, or cancelled. */
export function responseBodyOf(body: ResponseHead["body"], done: () => void, source: BodySource): SandboxResponse["body"] {
  if (body === null || "bytes" in body) {
    done();
    return body === null ? null : body.bytes;
  }
  const { streamId } = body;
  /** Chunks of the last pull not handed out yet. */
  let queued: Uint8Array[] = [];
  let finished = false;
  const finish = () => {
    if (!finished) done();
    finished = true;
  };
  return {
    read: async () => {
      if (queued.length > 0) return queued.shift()!;
      if (finished) return null;
      let result: BodyPull;
      try {
        result = await source.pull(streamId);
      } catch (error) {
        finish();
        if (error instanceof DeadlineError) {
          source.cancel(streamId, "the host stopped waiting for the body");
          source.probe();
        }
        throw source.failed(error instanceof DeadlineError ? new SandboxFailure("wall-time", "a body chunk took longer than timeoutMs") : error);
      }
      // What the isolate sends is untrusted: only bytes go to the client.
      if ("chunk" in result && result.chunk instanceof Uint8Array) return result.chunk;
      if ("chunks" in result && Array.isArray(result.chunks) && result.chunks.length > 0 && result.chunks.every((chunk) => chunk instanceof Uint8Array)) {
        queued = result.chunks.slice(1);
        return result.chunks[0]!;
      }
      finish();
      if ("chunk" in result || "chunks" in result) {
        source.cancel(streamId, "invalid body chunk");
        throw new SandboxFailure("handler-error", "the response body sent something other than bytes");
      }
      if ("done" in result) return null;
      throw new SandboxFailure("handler-error", `the response body failed: ${result.error.name}: ${result.error.message}`);
    },
    cancel: (reason) => {
      queued = [];
      if (finished) return;
      finish();
      source.cancel(streamId, reason ?? "cancelled by the host");
    },
  };
}

// A response body the host reads from an isolate: inline bytes as they are,
// or a stream pulled chunk by chunk, each pull under the wall time.

import { DeadlineError } from "../../common/deadline.ts";
import type { PullResult, ResponseHead } from "../isolate/core/bridge.ts";
import { SandboxFailure } from "../failure.ts";
import type { SandboxResponse } from "../sandbox.ts";

/** What reading a streamed body needs from its isolate. */
export interface BodySource {
  /** The next chunk, within the wall time and CPU budget; rejects with DeadlineError when it took too long. */
  pull(streamId: number): Promise<PullResult>;
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
  let finished = false;
  const finish = () => {
    if (!finished) done();
    finished = true;
  };
  return {
    read: async () => {
      if (finished) return null;
      let result: PullResult;
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
      if ("chunk" in result) return result.chunk;
      finish();
      if ("done" in result) return null;
      throw new SandboxFailure("handler-error", `the response body failed: ${result.error.name}: ${result.error.message}`);
    },
    cancel: (reason) => {
      if (finished) return;
      finish();
      source.cancel(streamId, reason ?? "cancelled by the host");
    },
  };
}

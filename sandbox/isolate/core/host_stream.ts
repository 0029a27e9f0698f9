// Byte streams whose chunks live on the host (a received request's body, a
// fetched response's body): each read is one pull message, so memory stays bounded.

import type { ReadableStream } from "web-streams-polyfill";
import { streamsModule } from "../web/lazy.ts";
import type { PullResult } from "./bridge.ts";
import { errorFrom } from "./host_errors.ts";

export interface HostSource {
  pull(): Promise<PullResult>;
  cancel(reason: unknown): void;
}

export function hostStream(source: HostSource): ReadableStream<Uint8Array> {
  return new (streamsModule().ReadableStream<Uint8Array>)(
    {
      async pull(controller) {
        const result = await source.pull();
        if ("chunk" in result) controller.enqueue(result.chunk);
        else if ("done" in result) controller.close();
        else controller.error(errorFrom(result.error));
      },
      cancel(reason) {
        source.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

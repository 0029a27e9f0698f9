// The error an isolate call rejects with: a reason the host can act on and a
// message for people. Plain data, so it can cross a process boundary.

import type { FailureReason } from "./sandbox.ts";

export class SandboxFailure extends Error {
  override name = "SandboxFailure";
  readonly reason: FailureReason;

  constructor(reason: FailureReason, message: string) {
    super(message);
    this.reason = reason;
  }

  toJSON(): { reason: FailureReason; message: string } {
    return { reason: this.reason, message: this.message };
  }
}

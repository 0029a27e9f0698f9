// What isolated-vm throws, mapped to the reason the host acts on
// (memory, wall time, disposed), naming the limit that was hit.

import { SandboxFailure } from "../failure.ts";
import type { IsolateSpec } from "../sandbox.ts";

export /** Maps what isolated-vm throws to a reason the host acts on, naming the limit that was hit. */
function failureOf(error: unknown, ended: SandboxFailure | undefined, spec: IsolateSpec): SandboxFailure {
  if (error instanceof SandboxFailure) return error;
  if (ended) return ended;
  const message = error instanceof Error ? error.message : String(error);
  if (/memory limit/i.test(message)) return new SandboxFailure("memory", `the isolate exceeded its memory limit of ${spec.memoryMb} MiB (memoryMb)`);
  if (/timed out/i.test(message)) return new SandboxFailure("wall-time", `script execution timed out after ${spec.timeoutMs} ms (timeoutMs)`);
  if (/disposed/i.test(message)) return new SandboxFailure("disposed", "the isolate was disposed");
  return new SandboxFailure("uncaught-error", message);
}

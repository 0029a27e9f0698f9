// An IsolateSpec for a module given as code, for tests that drive a LocalSandbox directly.

import os from "node:os";
import path from "node:path";
import { emptyPermissionSet, type IsolateSpec } from "../../sandbox/index.ts";

/** `instanceId` is `{name}#1`; limits default to 32 MB, 1 s of wall time, 10 s of CPU. */
export function isolateSpec(name: string, code: string, limits: Partial<Pick<IsolateSpec, "memoryMb" | "timeoutMs" | "cpuMs">> = {}): IsolateSpec {
  return {
    instanceId: `${name}#1`,
    packageName: name,
    version: "1.0.0",
    code,
    memoryMb: limits.memoryMb ?? 32,
    timeoutMs: limits.timeoutMs ?? 1_000,
    cpuMs: limits.cpuMs ?? 10_000,
    config: {},
    env: {},
    permissions: emptyPermissionSet(),
    root: os.tmpdir(),
    dataDir: path.join(os.tmpdir(), `isopod-${name}`),
  };
}

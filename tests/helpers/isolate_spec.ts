// An IsolateSpec for a module given as code, for tests that drive a LocalSandbox directly.

import os from "node:os";
import path from "node:path";
import { emptyPermissionSet, type IsolateSpec } from "../../sandbox/index.ts";

/** `instanceId` defaults to `{name}#1`; limits to 32 MB, 1 s of wall time, 10 s of CPU. */
export function isolateSpec(name: string, code: string, options: Partial<Pick<IsolateSpec, "instanceId" | "memoryMb" | "timeoutMs" | "cpuMs">> = {}): IsolateSpec {
  return {
    instanceId: options.instanceId ?? `${name}#1`,
    packageName: name,
    version: "1.0.0",
    code,
    memoryMb: options.memoryMb ?? 32,
    timeoutMs: options.timeoutMs ?? 1_000,
    cpuMs: options.cpuMs ?? 10_000,
    config: {},
    env: {},
    permissions: emptyPermissionSet(),
    root: os.tmpdir(),
    dataDir: path.join(os.tmpdir(), `isopod-${name}`),
  };
}

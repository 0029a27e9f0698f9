// A real LocalSandbox for registry tests: loads packages from one JavaScript
// module each, with whatever dependencies a test declares (the sandbox does
// not judge the graph, so two packages may use each other), and asks their
// fetch handlers for JSON. Everything is disposed when the test ends.

import assert from "node:assert/strict";
import os from "node:os";
import type { TestContext } from "node:test";
import { emptyPermissionSet, LocalSandbox, type IsolateSpec, type SandboxResponse } from "../../sandbox/index.ts";

export interface LoadOptions {
  dependencies?: string[];
  timeoutMs?: number;
  memoryMb?: number;
  /** Run the `start` hook after loading; default true. */
  start?: boolean;
}

export interface RegistrySandbox {
  sandbox: LocalSandbox;
  /** Loads `code` as package `name` (and starts it); returns the instance id. */
  load(name: string, code: string, options?: LoadOptions): Promise<string>;
  /** GET `path` on the instance's fetch handler; the answer's JSON. */
  get(instanceId: string, path: string): Promise<any>;
}

async function bodyText(body: SandboxResponse["body"]): Promise<string> {
  if (body === null) return "";
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  const parts: Uint8Array[] = [];
  for (let chunk = await body.read(); chunk !== null; chunk = await body.read()) parts.push(chunk);
  return new TextDecoder().decode(Buffer.concat(parts));
}

export function useRegistrySandbox(t: TestContext): RegistrySandbox {
  const sandbox = new LocalSandbox();
  t.after(() => sandbox.close());
  let next = 0;
  return {
    sandbox,
    async load(name, code, options = {}) {
      const spec: IsolateSpec = {
        instanceId: `${name}#${++next}`,
        packageName: name,
        version: "1.0.0",
        code,
        memoryMb: options.memoryMb ?? 64,
        timeoutMs: options.timeoutMs ?? 5_000,
        cpuMs: 60_000, // registry semantics here; CPU limits are tested in limits_hostile.test.ts
        config: {},
        env: {},
        permissions: emptyPermissionSet(),
        root: os.tmpdir(),
        dataDir: os.tmpdir(),
        dependencies: options.dependencies ?? [],
      };
      await sandbox.load(spec);
      if (options.start ?? true) await sandbox.hook(spec.instanceId, "start");
      return spec.instanceId;
    },
    async get(instanceId, path) {
      const response = await sandbox.request(instanceId, {
        head: { method: "GET", url: `http://pkg${path}`, headers: [], remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 } },
        body: null,
      });
      const text = await bodyText(response.body);
      assert.equal(response.status, 200, text);
      return JSON.parse(text);
    },
  };
}

// docs/doors.md's Python example, run as written with redis-py (Debian's
// python3-redis) against a real host's Redis door.

import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { ADMIN_TOKEN } from "../helpers/use_host.ts";
import { useRespHost } from "../helpers/use_resp_host.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const INSTALL = "apt-get install -y python3-redis";

/** A Python that has redis-py: pyenv's python3 may not see Debian's packages, /usr/bin/python3 does. */
function pythonWithRedis(): string | undefined {
  return ["python3", "/usr/bin/python3"].find((python) => spawnSync(python, ["-c", "import redis"], { stdio: "ignore" }).status === 0);
}

test("the Python example in docs/doors.md runs unchanged with redis-py: add, start, list, stop, delete", async (t) => {
  const python = pythonWithRedis();
  if (python === undefined) {
    if (process.env.CI) throw new Error(`no python3 with redis-py: ${INSTALL}`);
    return t.skip(`no python3 with redis-py (${INSTALL})`);
  }
  const doc = await readFile(path.join(ROOT, "docs/doors.md"), "utf8");
  const example = /```python\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(example, "docs/doors.md has a python block");
  const h = await useRespHost(t);
  const env = { ...process.env, ISOPOD_RESP_PORT: String(h.port), ISOPOD_TOKEN: ADMIN_TOKEN, PACKAGE_PATH: path.join(ROOT, "packages/hello") };
  const { stdout } = await promisify(execFile)(python, ["-c", example], { env, timeout: 30_000, encoding: "utf8" });
  assert.equal(stdout, "@isopod/hello\nrunning\n1\ndeleted\n");
  assert.deepEqual(h.host.store.operations.list({}).reverse().map((op) => [op.operation, op.params.door]), [
    ["add", "resp"],
    ["start", "resp"],
    ["packages_list", "resp"],
    ["stop", "resp"],
    ["delete", "resp"],
  ]);
});

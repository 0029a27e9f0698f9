import assert from "node:assert/strict";
import { test } from "node:test";
import type { PackageRecord } from "../../db/index.ts";
import { effectivePermissions } from "../../sandbox/index.ts";
import { parseGrant } from "../packages/manifest.ts";
import { nextStep } from "./next_step.ts";
import type { LiveSpec } from "./schema.ts";

const spec: LiveSpec = {
  name: "hello",
  deleted: false,
  source: { kind: "path", path: "/srv/hello" },
  env: { A: "1" },
  config: {},
  desiredState: "running",
  integrity: "sha256-new",
  version: "2.0.0",
  by: "h1",
  at: 1,
};

const nothing = parseGrant(undefined, parseGrant(undefined, {} as never));

const record = (fields: Partial<PackageRecord> = {}): PackageRecord =>
  ({
    name: "hello",
    version: "2.0.0",
    source: { kind: "path", path: "/srv/hello" },
    state: "running",
    desiredState: "running",
    manifest: { requested: nothing },
    granted: effectivePermissions(nothing, nothing),
    env: { A: "1" },
    config: {},
    integrity: "sha256-new",
    ...fields,
  }) as PackageRecord;

test("nextStep() adds a package the host lacks, with the fleet's env and run state", () => {
  assert.deepEqual(nextStep(spec, undefined, undefined), { kind: "add", request: { path: "/srv/hello", env: { A: "1" }, config: {}, start: true } });
});

test("nextStep() is nothing when the host has what the fleet wants", () => {
  assert.equal(nextStep(spec, record(), undefined), undefined);
});

test("nextStep() upgrades towards other files once per integrity", () => {
  assert.deepEqual(nextStep(spec, record({ integrity: "sha256-old" }), undefined), { kind: "upgrade" });
  assert.equal(nextStep(spec, record({ integrity: "sha256-old" }), "sha256-new"), undefined);
});

test("nextStep() re-adds on other env, replaces on another source, starts and stops to the desired state", () => {
  assert.equal(nextStep(spec, record({ env: {} }), undefined)?.kind, "readd");
  assert.equal(nextStep(spec, record({ source: { kind: "path", path: "/other" } }), undefined)?.kind, "replace");
  assert.equal(nextStep(spec, record({ desiredState: "stopped", state: "installed" }), undefined)?.kind, "start");
  assert.equal(nextStep(spec, record({ state: "installed" }), undefined)?.kind, "start");
  assert.equal(nextStep({ ...spec, desiredState: "stopped" }, record(), undefined)?.kind, "stop");
});

test("nextStep() leaves a crashed package to the host's restart policy, and deletes on a tombstone", () => {
  assert.equal(nextStep(spec, record({ state: "failed" }), undefined), undefined);
  const tombstone = { name: "hello", deleted: true as const, by: "h1", at: 2 };
  assert.deepEqual(nextStep(tombstone, record(), undefined), { kind: "delete" });
  assert.equal(nextStep(tombstone, undefined, undefined), undefined);
});

// StepLines: one line per step; a terminal's line is rewritten as counts grow,
// elsewhere a step's line is written once with its final counts.

import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { StepLines } from "./step_lines.ts";

function written(live: boolean, use: (lines: StepLines) => void): string {
  const out = new PassThrough();
  let text = "";
  out.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const lines = new StepLines(out, live);
  use(lines);
  lines.end();
  return text;
}

const run = (lines: StepLines) => {
  lines.step({ step: "resolving", source: "https://github.com/a/b" });
  lines.step({ step: "downloading", bytes: 0 });
  lines.step({ step: "downloading", bytes: 1_258_291, total: 3_145_728 });
  lines.step({ step: "dependencies", package: "@me/app", packages: 12, bytes: 3_565_158 });
  lines.step({ step: "installing", package: "@me/app" });
};

test("off a terminal each step is one line with its last counts", () => {
  assert.equal(
    written(false, run),
    "resolving https://github.com/a/b\ndownloading 1.2 MiB of 3.0 MiB\nresolving dependencies: 12 packages, 3.4 MiB\ninstalling @me/app\n",
  );
});

test("on a terminal the current step's line is rewritten in place", () => {
  const text = written(true, run);
  assert.match(text, /\rdownloading 0 B\x1b\[K\rdownloading 1\.2 MiB of 3\.0 MiB\x1b\[K\n/);
  assert.ok(text.endsWith("\rinstalling @me/app\x1b[K\n"), JSON.stringify(text));
});

test("end() without a step writes nothing", () => {
  assert.equal(written(false, () => {}), "");
});

// The SQL contract (docs/sql.md): the views answer while the host runs, with
// ISO times beside raw ones; `isopod sql` prints them and refuses any write.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { QueryRefused, runUserQuery, USER_VIEWS } from "../../db/index.ts";
import { addModule } from "../helpers/add_module.ts";
import { runCli } from "../helpers/clients/run_cli.ts";
import { useHost, type TestHost } from "../helpers/use_host.ts";

const HELLO = path.resolve(import.meta.dirname, "../../packages/hello");
const SQL_DOC = path.resolve(import.meta.dirname, "../../docs/sql.md");

/** A host with hello added, started, asked once, sampled and upgraded, and a package that needs it. */
async function busyHost(t: Parameters<typeof useHost>[0]): Promise<TestHost> {
  const h = await useHost(t);
  assert.equal((await h.json("POST", "/v1/packages", { body: { path: HELLO, start: true } })).status, 200);
  assert.equal((await h.request("GET", "/pkg/@isopod/hello/", { token: null })).status, 200);
  await h.host.sampler.sample();
  await h.json("POST", "/v1/packages/@isopod/hello/upgrade");
  await addModule(t, h, "needs-hello", "export default {};", { manifest: { isopod: { dependencies: { "@isopod/hello": "^1.0.0" } } } });
  return h;
}

describe("the user views", () => {
  test("each view answers while the host runs, with ISO times beside the raw ones", async (t) => {
    const h = await busyHost(t);
    const file = h.host.layout.database;
    for (const view of USER_VIEWS) {
      const result = runUserQuery(file, `SELECT * FROM ${view}`);
      assert.ok(result.columns.length > 0, `${view} has no columns`);
      if (view !== "v_resource_samples") assert.ok(result.rows.length > 0, `${view} has no rows`);
    }
    const [pkg] = runUserQuery(file, "SELECT * FROM v_packages WHERE name = '@isopod/hello'").rows;
    assert.equal(pkg!.name, "@isopod/hello");
    assert.equal(pkg!.installed_at_iso, new Date(pkg!.installed_at as number).toISOString());
    assert.deepEqual(runUserQuery(file, "SELECT * FROM v_dependencies").rows, [{ package: "needs-hello", dependency: "@isopod/hello", range: "^1.0.0" }]);
    const log = runUserQuery(file, "SELECT * FROM v_logs WHERE message = 'hello started'").rows[0]!;
    assert.equal(log.ts_iso, new Date(log.ts as number).toISOString());
    const sample = runUserQuery(file, "SELECT * FROM v_samples").rows[0]!;
    assert.equal(sample.requests, 1);
    assert.doesNotMatch(JSON.stringify(runUserQuery(file, "SELECT * FROM v_packages").rows), /"env"|"config"/);
  });

  test("every example query in docs/sql.md runs", async (t) => {
    const h = await busyHost(t);
    const examples = [...(await readFile(SQL_DOC, "utf8")).matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!.trim().replace(/;$/, ""));
    assert.ok(examples.length >= 3);
    for (const sql of examples) assert.doesNotThrow(() => runUserQuery(h.host.layout.database, sql), sql);
    const upgrades = runUserQuery(h.host.layout.database, examples[2]!).rows;
    assert.equal(upgrades[0]!.package, "@isopod/hello");
  });

  test("a write, a second statement or a setting pragma is refused and changes nothing", async (t) => {
    const h = await busyHost(t);
    const file = h.host.layout.database;
    for (const sql of [
      "DELETE FROM packages",
      "UPDATE packages SET state = 'failed'",
      "CREATE TABLE x (a)",
      "SELECT 1; DELETE FROM packages",
      "PRAGMA query_only = OFF",
      "ATTACH DATABASE '/tmp/x.db' AS x",
    ]) {
      assert.throws(() => runUserQuery(file, sql), QueryRefused, sql);
    }
    assert.throws(() => runUserQuery(file, "SELECT * FROM nope"), /no such table: nope/);
    assert.equal((await h.json("GET", "/v1/packages")).body.items.length, 2);
  });
});

describe("isopod sql", () => {
  test("prints a table, and JSON with --json, from the data folder", async (t) => {
    const h = await busyHost(t);
    const human = await runCli(["sql", "--data", h.dataDir, "SELECT name, state FROM v_packages"]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^NAME\s+STATE\n@isopod\/hello\s+running\nneeds-hello\s+installed\n$/);
    const json = await runCli(["--json", "sql", "SELECT name, version FROM v_packages WHERE name LIKE '@%'"], { env: { ISOPOD_DATA: h.dataDir } });
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(json.json(), { columns: ["name", "version"], rows: [{ name: "@isopod/hello", version: "1.0.0" }], truncated: false });
  });

  test("refuses a write with exit code 2 and a message naming it", async (t) => {
    const h = await busyHost(t);
    const run = await runCli(["sql", "--data", h.dataDir, "DELETE FROM packages"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /isopod sql only reads: "DELETE FROM packages" would change the database/);
    assert.equal((await h.json("GET", "/v1/packages")).body.items.length, 2);
    const json = await runCli(["--json", "sql", "--data", h.dataDir, "DROP VIEW v_logs"]);
    assert.equal(json.code, 2);
    assert.equal(json.json().error.code, "query_refused");
  });

  test("says where it looked when there is no database", async () => {
    const run = await runCli(["sql", "--data", "/nonexistent/isopod-data", "SELECT 1"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no database at \/nonexistent\/isopod-data\/isopod\.db/);
  });
});

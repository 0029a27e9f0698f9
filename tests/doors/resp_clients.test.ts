// The Redis door driven by clients nobody here wrote (ioredis, redis-cli,
// redis-py): the seed's sequence in JSON and MessagePack, AUTH, roles, audit.

import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { Packr, Unpackr } from "msgpackr";
import { haveTool, redisCli, useIoredis } from "../helpers/clients/resp_clients.ts";
import { openWire } from "../helpers/clients/resp_wire.ts";
import { spawnHost } from "../helpers/spawn_host.ts";
import { ADMIN_TOKEN } from "../helpers/use_host.ts";
import { useTmp } from "../helpers/use_tmp.ts";
import { useRespHost, type RespTestHost } from "../helpers/use_resp_host.ts";

const HELLO = path.resolve(import.meta.dirname, "../../packages/hello");
const ACTOR = "default.package_manager";
const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false });

function auditOf(h: RespTestHost): unknown[][] {
  return h.host.store.operations.list({}).reverse().map((op) => [op.operation, op.actor, op.result, op.params.door]);
}

const SEED_AUDIT = [
  ["add", "env-admin", "ok", "resp"],
  ["start", "env-admin", "ok", "resp"],
  ["packages_list", "env-admin", "ok", "resp"],
  ["stop", "env-admin", "ok", "resp"],
  ["delete", "env-admin", "ok", "resp"],
];

describe("ioredis", () => {
  test("the seed's sequence in JSON over RESP3: package_add with a path, then start, list, stop and delete by the answered name", async (t) => {
    const h = await useRespHost(t);
    const redis = await useIoredis(t, h.port, { password: ADMIN_TOKEN, protocol: 3 });
    assert.equal(await redis.call("config_format", "json"), "OK");
    const added = JSON.parse((await redis.call(`${ACTOR}.package_add`, JSON.stringify({ path: HELLO }))) as string);
    const name = added.name as string;
    assert.equal(name, "@isopod/hello");
    assert.equal(added.state, "installed");
    assert.equal(JSON.parse((await redis.call(`${ACTOR}.package_start`, JSON.stringify({ name }))) as string).state, "running");
    const listed = JSON.parse((await redis.call(`${ACTOR}.packages_list`)) as string);
    assert.deepEqual(listed.packages.map((p: any) => [p.name, p.state]), [[name, "running"]]);
    assert.equal(JSON.parse((await redis.call(`${ACTOR}.package_stop`, JSON.stringify({ name }))) as string).state, "installed");
    assert.deepEqual(JSON.parse((await redis.call(`${ACTOR}.package_delete`, JSON.stringify({ name }))) as string), { name, state: "deleted" });
    assert.deepEqual(auditOf(h), SEED_AUDIT);
  });

  test("the seed's sequence in MessagePack over RESP2: payloads packed, each answer one bulk string holding the packed value", async (t) => {
    const h = await useRespHost(t, { format: "msgpack" });
    const redis = await useIoredis(t, h.port, { password: ADMIN_TOKEN, protocol: 2 });
    assert.equal(await redis.call("config_format", "msgpack"), "OK");
    const call = async (method: string, args?: unknown) => {
      const answer = (await redis.callBuffer(`${ACTOR}.${method}`, ...(args === undefined ? [] : [Buffer.from(packr.pack(args))]))) as Buffer;
      assert.ok(Buffer.isBuffer(answer));
      return unpackr.unpack(answer) as any;
    };
    const { name } = await call("package_add", { path: HELLO });
    assert.equal(name, "@isopod/hello");
    assert.equal((await call("package_start", { name })).state, "running");
    assert.deepEqual((await call("packages_list")).packages.map((p: any) => p.name), [name]);
    assert.equal((await call("package_stop", { name })).state, "installed");
    assert.deepEqual(await call("package_delete", { name }), { name, state: "deleted" });
    assert.deepEqual(auditOf(h), SEED_AUDIT);
  });

  test("answers are the HTTP actor route's answers: one implementation behind both doors", async (t) => {
    const h = await useRespHost(t);
    const redis = await useIoredis(t, h.port, { password: ADMIN_TOKEN });
    const overResp = JSON.parse((await redis.call(`${ACTOR}.package_add`, JSON.stringify({ path: HELLO }))) as string);
    const overHttp = await h.json("POST", "/actors/package_manager/package_add", { body: { path: HELLO } });
    assert.deepEqual(overResp, overHttp.body);
    const listResp = JSON.parse((await redis.call(`${ACTOR}.packages_list`, "{}")) as string);
    assert.deepEqual(listResp, (await h.json("POST", "/actors/package_manager/packages_list")).body);
  });

  test("AUTH is refused with a wrong token or a foreign user, and accepted with the host's token", async (t) => {
    const h = await useRespHost(t);
    const redis = await useIoredis(t, h.port, { enableReadyCheck: false, protocol: 2 });
    await assert.rejects(redis.call(`${ACTOR}.packages_list`), /^ReplyError: NOAUTH authentication required/);
    await assert.rejects(redis.call("AUTH", "wrong-token"), /^ReplyError: unauthorized invalid or revoked token/);
    await assert.rejects(redis.call("AUTH", "someone", ADMIN_TOKEN), /^ReplyError: unauthorized/);
    await assert.rejects(redis.call("CONFIG_FORMAT", "json"), /NOAUTH/);
    assert.equal(await redis.call("PING"), "PONG");
    assert.equal(await redis.call("AUTH", ADMIN_TOKEN), "OK");
    assert.deepEqual(JSON.parse((await redis.call(`${ACTOR}.packages_list`)) as string), { packages: [] });
    const { token } = h.host.tokens.create("ops", "admin");
    assert.equal(await redis.call("AUTH", "ops", token), "OK");
    assert.equal(await redis.call("AUTH", "default", token), "OK");
  });

  test("a viewer token may list but is refused package_add with forbidden, which is audited and changes nothing", async (t) => {
    const h = await useRespHost(t);
    const { token } = h.host.tokens.create("reader", "viewer");
    const redis = await useIoredis(t, h.port, { password: token });
    await assert.rejects(
      redis.call(`${ACTOR}.package_add`, JSON.stringify({ path: HELLO })),
      /^ReplyError: forbidden a viewer token cannot call default\.package_manager\.package_add; use an admin token/,
    );
    for (const method of ["package_start", "package_stop", "package_upgrade", "package_delete"]) {
      await assert.rejects(redis.call(`${ACTOR}.${method}`, '{"name":"x"}'), /^ReplyError: forbidden/);
    }
    assert.deepEqual(JSON.parse((await redis.call(`${ACTOR}.packages_list`)) as string), { packages: [] });
    assert.deepEqual((await h.json("GET", "/v1/packages")).body.items, []);
    assert.deepEqual(auditOf(h).slice(0, 2), [
      ["package_add", "reader", "error", "resp"],
      ["package_start", "reader", "error", "resp"],
    ]);
    assert.equal(h.host.store.operations.list({}).at(-1)!.error?.code, "forbidden");
  });

  test("command errors start with the API's code and keep the connection", async (t) => {
    const h = await useRespHost(t);
    const redis = await useIoredis(t, h.port, { password: ADMIN_TOKEN });
    const cases: [unknown[], RegExp][] = [
      [["nosuchcommand", "x"], /^ReplyError: ERR unknown command 'nosuchcommand'/],
      [["acme.package_manager.packages_list"], /^ReplyError: not_found namespace "acme" is not served here; the only namespace is "default"/],
      [[`${ACTOR}.package_disable`, "{}"], /^ReplyError: not_found package_manager has no method "package_disable"/],
      [[`${ACTOR}.package_start`, "{}"], /^ReplyError: bad_request invalid arguments for package_start: "name"/],
      [[`${ACTOR}.package_start`, '{"name":"Bad Name"}'], /^ReplyError: bad_request .*"name" is not a valid package name/],
      [[`${ACTOR}.package_start`, '{"name":"nope"}'], /^ReplyError: not_found package "nope" is not installed/],
      [[`${ACTOR}.package_start`, "{not json"], /^ReplyError: bad_request payload is not valid JSON/],
      [[`${ACTOR}.package_start`, "{}", "{}"], /^ReplyError: bad_request default\.package_manager\.package_start takes one payload argument, got 2/],
      [[`${ACTOR}.package_add`, JSON.stringify({ path: HELLO, git_url: "https://github.com/a/b" })], /^ReplyError: bad_request .*exactly one of "git_url" or "path"/],
      [["config_format", "xml"], /^ReplyError: bad_request config_format takes "json" or "msgpack", not "xml"/],
      [["HELLO", "4"], /^ReplyError: NOPROTO unsupported protocol version "4"/],
    ];
    for (const [args, message] of cases) {
      await assert.rejects(redis.call(...(args as [string, ...string[]])), message);
    }
    assert.equal(await redis.call("PING"), "PONG");
    assert.deepEqual((await h.json("GET", "/v1/packages")).body.items, []);
  });

  test("HELLO 3 answers a map, CLIENT SETNAME names the connection, COMMAND and INFO answer", async (t) => {
    const h = await useRespHost(t);
    const wire = await openWire(t, h.port);
    wire.command("HELLO", "3", "AUTH", "default", ADMIN_TOKEN, "SETNAME", "threebot");
    const hello = (await wire.reply()) as Record<string, unknown>;
    assert.equal(hello.server, "isopod");
    assert.equal(hello.proto, 3);
    wire.command("CLIENT", "GETNAME");
    assert.equal(await wire.reply(), "threebot");
    wire.command("CLIENT", "SETNAME", "has space");
    assert.match((await wire.reply() as any).error, /^ERR Client names cannot contain spaces/);
    wire.command("COMMAND", "DOCS");
    assert.deepEqual(await wire.reply(), []);
    wire.command("INFO");
    assert.match((await wire.reply()) as string, /loading:0/);
    wire.command("QUIT");
    assert.equal(await wire.reply(), "OK");
    await wire.closed();
  });
});

describe("redis-cli", () => {
  test("the seed's sequence in one redis-cli session, reading the name from package_add's answer", async (t) => {
    if (!haveTool(t, "redis-cli", ["--version"], "apt-get install -y redis-tools")) return;
    const h = await useRespHost(t);
    const first = await redisCli(h.port, ADMIN_TOKEN, [], `config_format json\n${ACTOR}.package_add '${JSON.stringify({ path: HELLO })}'\n`);
    assert.equal(first.stderr, "");
    const [ok, addedLine] = first.stdout.trim().split("\n");
    assert.equal(ok, "OK");
    const name = JSON.parse(addedLine!).name as string;
    const payload = `'${JSON.stringify({ name })}'`;
    const rest = await redisCli(h.port, ADMIN_TOKEN, ["-3"], [`${ACTOR}.package_start ${payload}`, `${ACTOR}.packages_list`, `${ACTOR}.package_stop ${payload}`, `${ACTOR}.package_delete ${payload}`].join("\n"));
    assert.equal(rest.stderr, "");
    const answers = rest.stdout.trim().split("\n").map((line) => JSON.parse(line));
    assert.deepEqual(answers.map((a) => a.state ?? a.packages.map((p: any) => p.state).join()), ["running", "running", "installed", "deleted"]);
  });

  test("redis-cli without a token gets NOAUTH, with a wrong one an AUTH failure, and PING works before AUTH", async (t) => {
    if (!haveTool(t, "redis-cli", ["--version"], "apt-get install -y redis-tools")) return;
    const h = await useRespHost(t);
    assert.equal((await redisCli(h.port, undefined, ["PING"])).stdout.trim(), "PONG");
    assert.match((await redisCli(h.port, undefined, [`${ACTOR}.packages_list`])).stdout, /NOAUTH authentication required/);
    const wrong = await redisCli(h.port, "nope", [`${ACTOR}.packages_list`]);
    assert.match(wrong.stdout + wrong.stderr, /unauthorized invalid or revoked token/);
  });
});

test("isopod serve opens the door on ISOPOD_RESP_PORT and prints its address", async (t) => {
  const host = await spawnHost(t, { ISOPOD_RESP_PORT: "0", ISOPOD_ADMIN_TOKEN: ADMIN_TOKEN, ISOPOD_DATA: await useTmp(t, "isopod-resp-") });
  const match = /Redis door \(ThreeBot's actor\) on redis:\/\/127\.0\.0\.1:(\d+)/.exec(host.output());
  assert.ok(match, host.output());
  const wire = await openWire(t, Number(match[1]));
  wire.command("AUTH", ADMIN_TOKEN);
  assert.equal(await wire.reply(), "OK");
  wire.command(`${ACTOR}.packages_list`);
  assert.deepEqual(JSON.parse((await wire.reply()) as string), { packages: [] });
});

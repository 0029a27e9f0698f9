// TokenService on its own, over a real SQLite store: the token format, who a
// token authenticates as, and the rules for issuing and revoking.

import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { useTmp } from "../tests/helpers/use_tmp.ts";
import { Store } from "../db/index.ts";
import { IsopodError, type ErrorCode } from "./errors.ts";
import { TokenService } from "./tokens.ts";

async function useTokens(t: TestContext, envAdminToken?: string): Promise<{ tokens: TokenService; store: Store; dir: string }> {
  const dir = await useTmp(t, "isopod-tokens-");
  const store = new Store(path.join(dir, "isopod.db"), { logLinesPerPackage: 10 });
  t.after(() => store.close());
  return { tokens: new TokenService(store, envAdminToken), store, dir };
}

const fails = (code: ErrorCode, message: RegExp) => (error: unknown) =>
  error instanceof IsopodError && error.code === code && message.test(error.message);

test("a created token has the isopod_<id>_<secret> form and authenticates as its name and role", async (t) => {
  const { tokens } = await useTokens(t);
  const { id, token } = tokens.create("ci", "viewer");
  assert.match(id, /^[0-9a-f]{16}$/);
  assert.match(token, new RegExp(`^isopod_${id}_[A-Za-z0-9_-]{43}$`));
  assert.deepEqual(tokens.authenticate(token), { name: "ci", role: "viewer" });
});

test("authenticating records when a token was last used", async (t) => {
  const { tokens } = await useTokens(t);
  const { view, token } = tokens.issue("ci", "viewer");
  assert.equal(view.lastUsedAt, null);
  tokens.authenticate(token);
  const lastUsedAt = tokens.list()[0]!.lastUsedAt;
  assert.ok(lastUsedAt !== null && !Number.isNaN(Date.parse(lastUsedAt)), String(lastUsedAt));
});

test("a token with a wrong secret, an unknown id or a bad form authenticates as nobody", async (t) => {
  const { tokens } = await useTokens(t);
  const { id, token } = tokens.create("ci", "admin");
  const secret = token.slice(`isopod_${id}_`.length);
  const otherSecret = (secret[0] === "A" ? "B" : "A") + secret.slice(1);
  for (const presented of [
    `isopod_${id}_${otherSecret}`,
    `isopod_${"0".repeat(16)}_${secret}`,
    `isopod_${id}_${secret}x`,
    `isopod_${id.toUpperCase()}_${secret}`,
    ` ${token}`,
    "",
    secret,
  ]) {
    assert.equal(tokens.authenticate(presented), undefined, presented);
  }
  assert.equal(tokens.list()[0]!.lastUsedAt, null, "failed attempts do not count as use");
});

test("a revoked token authenticates as nobody", async (t) => {
  const { tokens } = await useTokens(t);
  tokens.issue("admin", "admin");
  const { token, view } = tokens.issue("ci", "viewer");
  const revoked = tokens.revoke(view.id);
  assert.equal(tokens.authenticate(token), undefined);
  assert.ok(revoked.revokedAt !== null);
});

test("ISOPOD_ADMIN_TOKEN authenticates as env-admin, and only that exact string does", async (t) => {
  const { tokens } = await useTokens(t, "s3cret-admin");
  assert.deepEqual(tokens.authenticate("s3cret-admin"), { name: "env-admin", role: "admin" });
  assert.equal(tokens.authenticate("s3cret-admin "), undefined);
  assert.equal(tokens.authenticate("s3cret-admi"), undefined);
});

test("issue refuses a name outside the allowed form, and one the audit log reserves", async (t) => {
  const { tokens } = await useTokens(t);
  for (const name of ["", ".ci", "ci bot", "a".repeat(65), "ci/bot"]) {
    assert.throws(() => tokens.issue(name, "viewer"), fails("bad_request", /must be 1-64 letters/), name);
  }
  assert.doesNotThrow(() => tokens.issue(`a${"b".repeat(63)}`, "viewer"));
  for (const name of ["host", "pipe", "env-admin"]) {
    assert.throws(() => tokens.issue(name, "admin"), fails("bad_request", new RegExp(`"${name}" is reserved`)), name);
  }
});

test("issue refuses a name an active token has, and allows it again once that token is revoked", async (t) => {
  const { tokens } = await useTokens(t);
  tokens.issue("admin", "admin");
  const first = tokens.issue("ci", "viewer");
  assert.throws(() => tokens.issue("ci", "admin"), fails("conflict", /^cannot create token "ci": an active token has that name/));
  tokens.revoke(first.view.id);
  const second = tokens.issue("ci", "admin");
  assert.notEqual(second.view.id, first.view.id);
  assert.deepEqual(tokens.authenticate(second.token), { name: "ci", role: "admin" });
});

test("revoke refuses what is not a token id, and an id with no active token", async (t) => {
  const { tokens } = await useTokens(t);
  tokens.issue("admin", "admin");
  const { view } = tokens.issue("ci", "viewer");
  assert.throws(() => tokens.revoke("ci"), fails("bad_request", /^"ci" is not a token id/));
  assert.throws(() => tokens.revoke(view.id.toUpperCase()), fails("bad_request", /is not a token id/));
  assert.throws(() => tokens.revoke("0".repeat(16)), fails("not_found", /no active token with id "0{16}"/));
  tokens.revoke(view.id);
  assert.throws(() => tokens.revoke(view.id), fails("not_found", /no active token/), "a token is revoked once");
});

test("revoke keeps the last admin token, unless ISOPOD_ADMIN_TOKEN is set", async (t) => {
  const { tokens } = await useTokens(t);
  const only = tokens.issue("root", "admin");
  tokens.issue("ci", "viewer");
  assert.throws(() => tokens.revoke(only.view.id), fails("conflict", /^cannot revoke "root": it is the last admin token/));
  const second = tokens.issue("root2", "admin");
  tokens.revoke(only.view.id);
  assert.throws(() => tokens.revoke(second.view.id), fails("conflict", /last admin token/));

  const withEnv = await useTokens(t, "s3cret-admin");
  const lone = withEnv.tokens.issue("root", "admin");
  assert.equal(withEnv.tokens.revoke(lone.view.id).id, lone.view.id);
});

test("list shows every token, revoked ones included, and never a secret or hash", async (t) => {
  const { tokens } = await useTokens(t);
  const a = tokens.issue("a", "admin");
  const b = tokens.issue("b", "viewer");
  tokens.revoke(b.view.id);
  const list = tokens.list();
  // Two tokens made in the same millisecond tie on created_at, so the order is not asserted here.
  const byName = new Map(list.map((view) => [view.name, view]));
  assert.deepEqual([...byName.keys()].sort(), ["a", "b"]);
  assert.deepEqual(Object.keys(list[0]!).sort(), ["createdAt", "id", "lastUsedAt", "name", "revokedAt", "role"]);
  assert.equal(byName.get("a")!.revokedAt, null);
  assert.notEqual(byName.get("b")!.revokedAt, null);
  assert.ok(!JSON.stringify(list).includes(a.token.slice(-43)));
});

test("ensureAdminToken writes a working admin token to a 0600 file at first start, and only then", async (t) => {
  const { tokens, dir } = await useTokens(t);
  const file = path.join(dir, "admin-token");
  assert.equal(await tokens.ensureAdminToken(file), file);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const token = (await readFile(file, "utf8")).trim();
  assert.deepEqual(tokens.authenticate(token), { name: "admin", role: "admin" });
  assert.equal(await tokens.ensureAdminToken(path.join(dir, "again")), undefined);
  assert.equal(tokens.list().length, 1);
});

test("ensureAdminToken does nothing when ISOPOD_ADMIN_TOKEN is set", async (t) => {
  const { tokens, dir } = await useTokens(t, "s3cret-admin");
  const file = path.join(dir, "admin-token");
  assert.equal(await tokens.ensureAdminToken(file), undefined);
  await assert.rejects(stat(file), { code: "ENOENT" });
  assert.equal(tokens.list().length, 0);
});

// Package logs through the API: the tail, following as server-sent events
// over a real socket, and what a flood of output or of followers does.

import assert from "node:assert/strict";
import net from "node:net";
import { describe, test } from "node:test";
import { assertApiError } from "../helpers/assertions.ts";
import { addModule } from "../helpers/add_module.ts";
import { SseReader } from "../helpers/clients/sse.ts";
import { ADMIN_TOKEN, useHost, useServer } from "../helpers/use_host.ts";
import { waitFor } from "../helpers/wait_for.ts";

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** A package that logs "ready" at start and stays running. */
const ECHO = `export default { start() { console.log("ready"); setInterval(() => {}, 1000); } };`;

describe("GET /v1/packages/{name}/logs", () => {
  test("returns the newest lines as { ts, level, message }, oldest first", async (t) => {
    const h = await useHost(t);
    await addModule(t, h, "talker", `export default { start() { console.log("one"); console.warn("two"); console.error("three"); } };`, { start: true });
    const all = await h.json("GET", "/v1/packages/talker/logs");
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.items.map((e: any) => [e.level, e.message]), [["info", "one"], ["warn", "two"], ["error", "three"]]);
    for (const entry of all.body.items) {
      assert.deepEqual(Object.keys(entry).sort(), ["level", "message", "ts"]);
      assert.equal(new Date(entry.ts).toISOString(), entry.ts);
    }
    const two = await h.json("GET", "/v1/packages/talker/logs?tail=2");
    assert.deepEqual(two.body.items.map((e: any) => e.message), ["two", "three"]);
    assert.deepEqual((await h.json("GET", "/v1/packages/talker/logs?tail=0")).body.items, []);
  });

  test("works for scoped names, literal and encoded, and for a viewer token", async (t) => {
    const h = await useHost(t);
    await addModule(t, h, "clock", `export default { start() { console.log("tick"); } };`, { manifest: { name: "@acme/clock" }, start: true });
    const viewer = h.host.tokens.create("dashboard", "viewer").token;
    for (const url of ["/v1/packages/@acme/clock/logs", "/v1/packages/%40acme%2Fclock/logs"]) {
      const logs = await h.json("GET", url, { token: viewer });
      assert.deepEqual(logs.body.items.map((e: any) => e.message), ["tick"]);
    }
  });

  test("refuses bad input with 400 and follows nothing", async (t) => {
    const h = await useHost(t);
    await addModule(t, h, "quiet", `export default {};`);
    for (const [url, message] of [
      ["/v1/packages/quiet/logs?tail=-1", /"tail" must be a whole number from 0 to 10000, got "-1"/],
      ["/v1/packages/quiet/logs?tail=abc", /"tail" must be a whole number/],
      ["/v1/packages/quiet/logs?tail=1.5", /"tail" must be a whole number/],
      ["/v1/packages/quiet/logs?tail=10001", /from 0 to 10000/],
      ["/v1/packages/quiet/logs?follow=yes", /"follow" must be true or false, got "yes"/],
      ["/v1/packages/QUIET/logs", /"QUIET" is not a valid package name/],
    ] as const) {
      assertApiError(await h.json("GET", url), 400, "bad_request", message);
    }
    const badId = await h.request("GET", "/v1/packages/quiet/logs?follow=true", { headers: { "last-event-id": "x1" } });
    assertApiError({ status: badId.status, body: await badId.json() }, 400, "bad_request", /"Last-Event-ID" must be a whole number/);
    assert.equal(h.host.logs.followerCount, 0);
  });

  test("is 404 for a package that is not installed, and 401 without a token", async (t) => {
    const h = await useHost(t);
    assertApiError(await h.json("GET", "/v1/packages/nope/logs"), 404, "not_found", /"nope" is not installed/);
    assertApiError(await h.json("GET", "/v1/packages/nope/logs?follow=true"), 404, "not_found");
    assertApiError(await h.json("GET", "/v1/packages/nope/logs", { token: null }), 401, "unauthorized");
    assert.equal(h.host.logs.followerCount, 0);
  });
});

describe("following a log (?follow=true)", () => {
  test("sends the tail, then each new line as an event `log`, over a real socket", async (t) => {
    const h = await useHost(t);
    await addModule(t, h, "ticker", `let n = 0; export default { start() { console.log("up"); setInterval(() => console.log("tick " + ++n), 20); } };`, { start: true });
    const server = await useServer(t, h);
    const response = await fetch(`${server.url}/v1/packages/ticker/logs?follow=true&tail=1`, { headers: auth });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type")!, /^text\/event-stream/);
    const reader = new SseReader(response.body!);
    t.after(() => reader.cancel());
    const first = await reader.next();
    assert.equal(first!.event, "log");
    assert.ok(first!.id && /^\d+$/.test(first!.id));
    const events = await reader.until((event) => /tick 5$/.test(JSON.parse(event.data).message));
    const messages = [first!, ...events].map((event) => JSON.parse(event.data).message as string);
    const ticks = messages.filter((m) => m.startsWith("tick")).map((m) => Number(m.slice(5)));
    // No line is lost or repeated between the tail and the live lines.
    assert.deepEqual(ticks, Array.from({ length: ticks.length }, (_, i) => ticks[0]! + i));
    const entry = JSON.parse(events.at(-1)!.data);
    assert.deepEqual(Object.keys(entry).sort(), ["level", "message", "ts"]);
    assert.equal(entry.level, "info");
  });

  test("a client that reconnects with Last-Event-ID gets only what it missed", async (t) => {
    const h = await useHost(t);
    await addModule(t, h, "counter", `export default { start() { for (let i = 1; i <= 5; i++) console.log("line " + i); } };`, { start: true });
    const first = await h.request("GET", "/v1/packages/counter/logs?follow=true&tail=5");
    const reader = new SseReader(first.body!);
    const events = await reader.until((event) => JSON.parse(event.data).message === "line 5");
    await reader.cancel();
    const third = events[2]!;
    const again = await h.request("GET", "/v1/packages/counter/logs?follow=true", { headers: { "last-event-id": third.id! } });
    const resumed = new SseReader(again.body!);
    t.after(() => resumed.cancel());
    const missed = await resumed.until((event) => JSON.parse(event.data).message === "line 5");
    assert.deepEqual(missed.map((event) => JSON.parse(event.data).message), ["line 4", "line 5"]);
  });

  test("ends cleanly when the client goes away, and when the host closes", async (t) => {
    const h = await useHost(t);
    await addModule(t, h, "echo", ECHO, { start: true });
    const server = await useServer(t, h);
    const leaving = new AbortController();
    const gone = await fetch(`${server.url}/v1/packages/echo/logs?follow=true`, { headers: auth, signal: leaving.signal });
    const staying = await fetch(`${server.url}/v1/packages/echo/logs?follow=true`, { headers: auth });
    await waitFor(() => h.host.logs.followerCount === 2);
    leaving.abort();
    await gone.body?.cancel().catch(() => undefined);
    await waitFor(() => h.host.logs.followerCount === 1);
    const reader = new SseReader(staying.body!);
    await reader.until((event) => JSON.parse(event.data).message === "ready");
    await h.host.close();
    assert.equal(await reader.next(), undefined, "the stream ends when the host closes");
    assert.equal(h.host.logs.followerCount, 0);
  });

  test("more followers than the host allows are refused with 503 rate_limited", async (t) => {
    const h = await useHost(t, { logs: { ...baseLogs(), maxFollowers: 2 } });
    await addModule(t, h, "echo", ECHO, { start: true });
    const open = [await h.request("GET", "/v1/packages/echo/logs?follow=true"), await h.request("GET", "/v1/packages/echo/logs?follow=true")];
    t.after(() => Promise.all(open.map((response) => response.body!.cancel())));
    const third = await h.json("GET", "/v1/packages/echo/logs?follow=true");
    assertApiError(third, 503, "rate_limited", /2 log followers are open, the most this host allows/);
    assert.equal(h.host.logs.followerCount, 2);
    assert.equal((await h.json("GET", "/v1/packages/echo/logs")).status, 200, "the plain tail still works");
  });
});

function baseLogs() {
  return { bytesPerPackage: 1024 * 1024, rateLines: 1000, rateBytes: 1024 * 1024, maxFollowers: 256 };
}

describe("hostile log traffic", () => {
  test("a flood of followers that connect and vanish leaves none behind", async (t) => {
    const h = await useHost(t);
    await addModule(t, h, "echo", `let n = 0; export default { start() { setInterval(() => console.log("beat " + ++n), 10); } };`, { start: true });
    const server = await useServer(t, h);
    const { port } = new URL(server.url);
    for (let round = 0; round < 3; round++) {
      const controllers = Array.from({ length: 40 }, () => new AbortController());
      const responses = await Promise.all(
        controllers.map((controller) => fetch(`${server.url}/v1/packages/echo/logs?follow=true`, { headers: auth, signal: controller.signal })),
      );
      assert.ok(responses.every((response) => response.status === 200));
      await waitFor(() => h.host.logs.followerCount === 40);
      for (const controller of controllers) controller.abort();
      await Promise.all(responses.map((response) => response.body!.cancel().catch(() => undefined)));
      // Raw sockets that send the request and drop the connection at once, some before the answer.
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          new Promise<void>((resolve) => {
            const socket = net.connect(Number(port), "127.0.0.1", () => {
              socket.write(`GET /v1/packages/echo/logs?follow=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\n\r\n`);
              if (i % 2 === 0) socket.destroy();
              else socket.once("data", () => socket.destroy());
            });
            socket.on("close", () => resolve());
            socket.on("error", () => undefined);
          }),
        ),
      );
      await waitFor(() => h.host.logs.followerCount === 0, 5_000);
    }
    // The host and a new follower still work.
    assert.equal((await h.json("GET", "/healthz")).status, 200);
    const fresh = await fetch(`${server.url}/v1/packages/echo/logs?follow=true&tail=0`, { headers: auth });
    const reader = new SseReader(fresh.body!);
    t.after(() => reader.cancel());
    assert.match(JSON.parse((await reader.next())!.data).message, /^beat \d+$/);
  });

  test("an SSE client that never reads is cut off, and the host keeps answering", async (t) => {
    // No rate limit here: the package must be able to write more than every buffer on the way holds.
    const h = await useHost(t, { logs: { ...baseLogs(), rateLines: 0, rateBytes: 0 } });
    await addModule(
      t,
      h,
      "gush",
      `export default { start() { setTimeout(() => { const line = "y".repeat(8000); for (let i = 0; i < 6000; i++) console.log(line); }, 300); } };`,
      { start: true, manifest: { isopod: { limits: { timeoutMs: 60000 } } } },
    );
    const server = await useServer(t, h);
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), "127.0.0.1");
    t.after(() => socket.destroy());
    socket.on("error", () => undefined);
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write(`GET /v1/packages/gush/logs?follow=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\n\r\n`);
    socket.pause(); // and never read
    await waitFor(() => h.host.logs.followerCount === 1);
    await waitFor(() => h.host.logs.followerCount === 0, 30_000);
    assert.equal((await h.json("GET", "/healthz")).status, 200);
    // Once it reads again, it finds its connection closed by the host.
    socket.resume();
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error("socket not closed")), 10_000))]);
  });

  test("a follower without a socket that stops reading is cut off and sees why when it reads again", async (t) => {
    const h = await useHost(t, { logs: { ...baseLogs(), rateLines: 0, rateBytes: 0 } });
    await addModule(t, h, "gush", `export default { start() { setTimeout(() => { const line = "y".repeat(8000); for (let i = 0; i < 400; i++) console.log(line); }, 200); } };`, { start: true });
    const response = await h.request("GET", "/v1/packages/gush/logs?follow=true&tail=0");
    await waitFor(() => h.host.logs.followerCount === 0, 10_000);
    const reader = new SseReader(response.body!);
    await assert.rejects(reader.until(() => false, 10_000), /cut off: it left more than \d+ bytes unread/);
  });

  test("100 MB of console output stays bounded in rows and bytes while the host and a canary go on", async (t) => {
    const h = await useHost(t);
    await addModule(t, h, "canary", `let n = 0; export default { start() { setInterval(() => console.log("beat " + ++n), 100); } };`, { start: true });
    // 100 MiB in 1 KiB lines from a timer, then (after the rate limit has refilled) a marker line.
    await addModule(
      t,
      h,
      "noisy",
      `export default { start() { setTimeout(() => {
         const line = "z".repeat(1023);
         for (let i = 0; i < 102400; i++) console.log(line);
         setTimeout(() => console.log("flood over"), 1500);
       }, 100); } };`,
      { start: true, manifest: { isopod: { limits: { timeoutMs: 60000 } } } },
    );
    const floodStarted = Date.now();
    let slowest = 0;
    let checks = 0;
    const over = async () => h.host.logs.tail("noisy", 5).some((entry) => entry.message === "flood over");
    while (!(await over())) {
      assert.ok(Date.now() - floodStarted < 90_000, "the flood did not end within 90 s");
      const started = performance.now();
      assert.equal((await h.json("GET", "/healthz")).status, 200);
      assert.equal((await h.json("GET", "/v1/packages/canary")).body.state, "running");
      slowest = Math.max(slowest, performance.now() - started);
      checks += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const floodEnded = Date.now();
    assert.ok(checks > 0);
    assert.ok(slowest < 5_000, `the API took ${slowest} ms to answer during the flood`);
    // The canary kept logging all through the flood.
    const beats = h.host.logs.tail("canary", 1000).filter((entry) => entry.ts >= floodStarted && entry.ts <= floodEnded);
    assert.ok(beats.length >= Math.floor((floodEnded - floodStarted) / 1000), `only ${beats.length} canary beats during the flood`);
    // The noisy package's log is bounded, most of its output was dropped and it was told so.
    const size = h.host.store.logs.size("noisy");
    assert.ok(size.lines <= 1000 + 100 + 500, `${size.lines} lines kept`);
    assert.ok(size.bytes <= 2 * 1024 * 1024, `${size.bytes} bytes kept`);
    const dropped = h.host.logs.dropped("noisy");
    assert.ok(dropped.lines > 90_000, `${dropped.lines} lines dropped`);
    assert.ok(h.host.logs.tail("noisy", 1000).some((entry) => entry.level === "warn" && /^isopod: dropped \d+ console line/.test(entry.message)));
    const stats = await h.json("GET", "/v1/stats");
    assert.equal(stats.body.packages.find((p: any) => p.name === "noisy").logDropped, dropped.lines);
    assert.ok(stats.body.storage.databaseBytes < 50 * 1024 * 1024, `database is ${stats.body.storage.databaseBytes} bytes`);
  });

  test("lines over a package's rate are dropped, counted and reported in its log", async (t) => {
    const h = await useHost(t, { logs: { ...baseLogs(), rateLines: 5 } });
    await addModule(t, h, "chatty", `export default { start() { for (let i = 1; i <= 50; i++) console.log("line " + i); } };`, { start: true });
    await waitFor(() => h.host.logs.tail("chatty", 100).some((entry) => entry.level === "warn"), 5_000);
    const entries = h.host.logs.tail("chatty", 100);
    const kept = entries.filter((entry) => entry.level === "info").map((entry) => entry.message);
    // The first five fit the burst; refilling at 5 lines a second adds at most one more meanwhile.
    assert.deepEqual(kept.slice(0, 5), ["line 1", "line 2", "line 3", "line 4", "line 5"]);
    assert.ok(kept.length <= 6, `${kept.length} lines kept`);
    const dropped = h.host.logs.dropped("chatty").lines;
    assert.equal(dropped, 50 - kept.length);
    const report = entries.find((entry) => entry.level === "warn")!;
    assert.match(report.message, new RegExp(`^isopod: dropped ${dropped} console line\\(s\\) \\(\\d+ bytes\\) of "chatty" over the rate limit of 5 lines`));
  });

  test("a full database loses log lines, not the host", async (t) => {
    const h = await useHost(t);
    await addModule(t, h, "writer", `export default { start() { setInterval(() => console.log("x".repeat(4000)), 5); } };`);
    const errors = t.mock.method(console, "error", () => undefined);
    // SQLite's own "disk full": no page may be added beyond those in use.
    const pages = h.host.store.db.pragma("page_count", { simple: true }) as number;
    h.host.store.db.pragma(`max_page_count = ${pages}`);
    assert.equal((await h.json("POST", "/v1/packages/writer/start")).status, 200);
    await waitFor(() => errors.mock.callCount() > 0, 10_000);
    assert.match(String(errors.mock.calls[0]!.arguments[0]), /could not write \d+ log line\(s\) to the database/);
    assert.equal((await h.json("GET", "/healthz")).status, 200);
    assert.equal((await h.json("GET", "/v1/packages/writer")).body.state, "running");
    h.host.store.db.pragma("max_page_count = 4294967294");
  });

  test("a package's log is bounded in bytes as well as in lines", async (t) => {
    const h = await useHost(t, { logs: { ...baseLogs(), bytesPerPackage: 64 * 1024 } });
    await addModule(t, h, "wide", `export default { start() { const line = "w".repeat(4000); for (let i = 0; i < 200; i++) console.log(line); } };`, { start: true });
    await waitFor(() => h.host.logs.tail("wide", 1000).length > 0);
    h.host.store.logs.trim("wide");
    const size = h.host.store.logs.size("wide");
    assert.ok(size.bytes <= 64 * 1024, `${size.bytes} bytes kept`);
    assert.ok(size.lines >= 15 && size.lines <= 16, `${size.lines} lines kept`);
  });
});

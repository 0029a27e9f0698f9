// The operator's console in a real Chromium against a real host on loopback:
// sign in, live states, a viewer's limits, live logs, nothing from outside.

import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { addModule } from "../helpers/add_module.ts";
import { useConsole } from "../helpers/clients/use_console.ts";
import { writePackage } from "../helpers/package_fixture.ts";
import { useTmp } from "../helpers/use_tmp.ts";
import { ADMIN_TOKEN, useHost } from "../helpers/use_host.ts";

const HELLO = path.resolve(import.meta.dirname, "../../packages/hello");
// docs/ui-packages.png is refreshed only on request, so a test run leaves the tree clean.
const SCREENSHOT = process.env.ISOPOD_UPDATE_SCREENSHOTS === "1" ? path.resolve(import.meta.dirname, "../../docs/ui-packages.png") : undefined;

describe("the dashboard at /ui", () => {
  test("an admin signs in, sees hello running, and Stop changes its row without a reload", async (t) => {
    const c = await useConsole(t);
    assert.equal((await c.h.json("POST", "/v1/packages", { body: { path: HELLO, start: true } })).status, 200);
    let navigations = 0;
    c.page.on("framenavigated", () => navigations++);
    const row = c.page.getByRole("row", { name: /@isopod\/hello/ });
    await row.getByText("running", { exact: true }).first().waitFor();
    const shot = await c.page.screenshot(SCREENSHOT === undefined ? {} : { path: SCREENSHOT });
    assert.ok(shot.length > 10_000, "the screenshot is blank");
    await row.getByRole("button", { name: "Stop" }).click();
    await row.getByRole("cell", { name: "stopped" }).waitFor();
    await row.getByText("installed", { exact: true }).waitFor();
    assert.equal((await c.h.json("GET", "/v1/packages/@isopod/hello")).body.state, "installed");
    assert.equal(navigations, 0, "the page reloaded");
    assert.deepEqual(c.outsideRequests(), []);
    assert.deepEqual(c.browser.requests.filter((url) => url.includes(ADMIN_TOKEN)), [], "the token went into a URL");
    assert.equal(await c.page.evaluate("sessionStorage.getItem('isopod-token')"), ADMIN_TOKEN);
  });

  test("a row changes when another client stops the package", async (t) => {
    const c = await useConsole(t);
    await c.h.json("POST", "/v1/packages", { body: { path: HELLO, start: true } });
    const row = c.page.getByRole("row", { name: /@isopod\/hello/ });
    await row.getByText("running", { exact: true }).first().waitFor();
    await c.h.json("POST", "/v1/packages/@isopod/hello/stop");
    await row.getByText("installed", { exact: true }).waitFor({ timeout: 10_000 });
  });

  test("a viewer's Stop is disabled, with the reason on hover", async (t) => {
    const h = await useHost(t);
    const { token } = h.host.tokens.create("reader", "viewer");
    const c = await useConsole(t, { host: h, token });
    await c.h.json("POST", "/v1/packages", { body: { path: HELLO, start: true } });
    const stop = c.page.getByRole("row", { name: /@isopod\/hello/ }).getByRole("button", { name: "Stop" });
    await stop.waitFor();
    assert.equal(await stop.isDisabled(), true);
    assert.match((await stop.getAttribute("title")) ?? "", /viewer token can only read/);
    assert.equal(await c.page.getByRole("heading", { name: "Add a package" }).count(), 0);
  });

  test("the add form shows the add's steps as the host reports them, then the package", async (t) => {
    const c = await useConsole(t);
    const slow = `export default { async install() { await new Promise((r) => setTimeout(r, 1500)); }, fetch() { return new Response("hi"); } };\n`;
    const root = await writePackage(await useTmp(t), "slow", { files: { "mod.ts": slow } });
    await c.page.getByLabel("Source (a folder on the host, or a GitHub URL)").fill(root);
    await c.page.getByRole("button", { name: "Add", exact: true }).click();
    const status = c.page.getByRole("status");
    await status.getByText("Adding… installing slow").waitFor({ timeout: 10_000 });
    await status.getByText("Added slow 1.0.0: running").waitFor({ timeout: 10_000 });
  });

  test("a package's page shows a log line the package just wrote", async (t) => {
    const c = await useConsole(t);
    await addModule(t, c.h, "talker", `export default { fetch(req) { console.log("asked for " + new URL(req.url).pathname); return new Response("ok"); } };`, { start: true });
    await c.page.getByRole("link", { name: "talker" }).click();
    const log = c.page.getByRole("log", { name: "Logs of talker" });
    await log.waitFor();
    await c.page.getByRole("heading", { name: "Recent operations" }).waitFor();
    assert.equal((await c.h.request("GET", "/pkg/talker/just-now", { token: null })).status, 200);
    await log.getByText("asked for /just-now").waitFor();
    assert.deepEqual(c.outsideRequests(), []);
  });

  test("markup in a log line or an error message shows as text and never runs", async (t) => {
    const c = await useConsole(t);
    const hostile = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
    await addModule(t, c.h, "hostile", `export default { start() { console.log(${JSON.stringify(hostile)}); throw new Error(${JSON.stringify(hostile)}); } };`);
    const started = await c.h.json("POST", "/v1/packages/hostile/start");
    assert.notEqual(started.status, 200);
    await c.page.goto(`${c.url}/ui#/packages/hostile`);
    const log = c.page.getByRole("log", { name: "Logs of hostile" });
    await log.getByText(hostile).waitFor();
    await c.page.getByRole("heading", { name: "Error" }).waitFor();
    assert.equal(await c.page.locator("main img, main script").count(), 0);
    assert.equal(await c.page.evaluate("window.__pwned"), undefined);
    assert.ok((await c.page.locator("main").innerText()).includes(hostile));
  });

  test("sign out forgets the token", async (t) => {
    const c = await useConsole(t);
    await c.page.getByRole("button", { name: "Sign out" }).click();
    await c.page.getByLabel("Token").waitFor();
    assert.equal(await c.page.evaluate("sessionStorage.getItem('isopod-token')"), null);
    await c.page.reload();
    await c.page.getByLabel("Token").waitFor();
  });

  test("a wrong token is refused with a reason and stays out of storage", async (t) => {
    const c = await useConsole(t);
    await c.page.getByRole("button", { name: "Sign out" }).click();
    await c.page.getByLabel("Token").fill("not-a-token");
    await c.page.getByRole("button", { name: "Sign in" }).click();
    await c.page.getByRole("alert").getByText(/does not know this token/).waitFor();
    assert.equal(await c.page.evaluate("sessionStorage.getItem('isopod-token')"), null);
  });
});

describe("/docs", () => {
  test("renders Swagger UI from the host's own files, with nothing from outside", async (t) => {
    const c = await useConsole(t);
    await c.page.goto(`${c.url}/docs`);
    await c.page.getByText("/v1/packages/{name}/stop").first().waitFor();
    assert.deepEqual(c.outsideRequests(), []);
  });
});

// The dashboard in a real browser against a real host on loopback: a test
// host behind an HTTP server, Chromium, and a signed-in tab on /ui.

import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import type { Page } from "playwright-core";
import { useBrowser, type TestBrowser } from "./use_browser.ts";
import { ADMIN_TOKEN, useHost, useServer, type TestHost } from "../use_host.ts";

export interface TestConsole {
  h: TestHost;
  url: string;
  browser: TestBrowser;
  page: Page;
  /** Every request the browser made that did not go to the host. */
  outsideRequests(): string[];
}

/** Opens /ui and signs in with `token` (default: the admin token). */
export async function useConsole(t: TestContext, options: { token?: string; host?: TestHost } = {}): Promise<TestConsole> {
  const h = options.host ?? (await useHost(t));
  const server = await useServer(t, h);
  const browser = await useBrowser(t);
  const page = await browser.page();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  t.after(() => assert.deepEqual(errors, [], "the page threw"));
  await page.goto(`${server.url}/ui`);
  await page.getByLabel("Token").fill(options.token ?? ADMIN_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
  const origin = new URL(server.url).origin;
  return {
    h,
    url: server.url,
    browser,
    page,
    outsideRequests: () => browser.requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith("data:")),
  };
}

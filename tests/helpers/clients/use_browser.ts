// A headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
// with a fresh profile, closed when the test ends; it records every request
// the page makes so a test can check that none leaves the host.

import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestContext } from "node:test";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.ISOPOD_CHROMIUM ?? "/usr/bin/chromium";

const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export interface TestBrowser {
  context: BrowserContext;
  /** A new tab; every URL it requests is added to `requests`. */
  page(): Promise<Page>;
  requests: string[];
}

export async function useBrowser(t: TestContext): Promise<TestBrowser> {
  const profile = await mkdtemp(path.join(os.tmpdir(), "isopod-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    timeout: 60_000,
    viewport: { width: 1280, height: 800 },
  });
  t.after(async () => {
    await context.close().catch(() => {});
    await rm(profile, { recursive: true, force: true });
  });
  const requests: string[] = [];
  context.on("request", (request) => requests.push(request.url()));
  context.setDefaultTimeout(15_000);
  return {
    context,
    requests,
    page: async () => context.pages()[0] ?? context.newPage(),
  };
}

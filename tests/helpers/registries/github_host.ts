// A host wired to a fake GitHub, and repositories made of package fixtures,
// so GitHub tests state only the repository layout they are about.

import assert from "node:assert/strict";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TestContext } from "node:test";
import type { HostConfig } from "../../../runtime/config.ts";
import { assertNothingInstalled } from "../assertions.ts";
import type { FakeGitHub} from "./fake_github.ts";
import { useFakeGitHub, type FakeGitHubOptions } from "./fake_github.ts";
import { writePackage, type PackageFixture } from "../package_fixture.ts";
import { useHost, type TestHost } from "../use_host.ts";
import { useTmp } from "../use_tmp.ts";

export interface GitHubTestHost extends TestHost {
  github: FakeGitHub;
}

/** A fake GitHub and a host that talks to it (fast retries; `overrides` win). */
export async function useGitHubHost(
  t: TestContext,
  overrides: Partial<HostConfig> = {},
  options: FakeGitHubOptions = {},
): Promise<GitHubTestHost> {
  const github = await useFakeGitHub(t, options);
  const h = await useHost(t, { githubApi: github.url, githubRetries: 2, githubRetryDelayMs: 5, githubTimeoutMs: 5_000, ...overrides });
  return { ...h, github };
}

/** A repository working tree on disk: packages at the given folders ("" for the root), plus other files. */
export async function writeRepo(
  t: TestContext,
  packages: Record<string, PackageFixture & { name?: string }>,
  extra: Record<string, string> = {},
): Promise<string> {
  const dir = await useTmp(t, "isopod-repo-");
  for (const [folder, fixture] of Object.entries(packages)) {
    const manifest = typeof fixture.manifest === "string" ? fixture.manifest : { name: fixture.name ?? "pkg", ...fixture.manifest };
    await writePackage(dir, folder, { ...fixture, manifest });
  }
  for (const [file, content] of Object.entries(extra)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  return dir;
}

/** Nothing installed, no package folder, and no staging folder left behind. */
export async function assertNothingLeft(h: TestHost): Promise<void> {
  await assertNothingInstalled(h);
  const staging = await readdir(path.join(h.dataDir, "staging")).catch(() => []);
  assert.deepEqual(staging, [], `staging folders left behind: ${staging.join(", ")}`);
}

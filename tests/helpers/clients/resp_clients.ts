// Real Redis clients against a test host's door: ioredis (closed when the test
// ends) and redis-cli (Debian's redis-tools), run without blocking the host's event loop.

import { execFile, spawnSync } from "node:child_process";
import type { TestContext } from "node:test";
import { promisify } from "node:util";
import { Redis } from "ioredis";

export interface IoredisOptions {
  password?: string;
  username?: string;
  protocol?: 2 | 3;
  enableReadyCheck?: boolean;
}

const run = promisify(execFile);

/** An ioredis client, connected (its handshake done: HELLO 3 or AUTH, CLIENT SETINFO, INFO); it never reconnects. */
export async function useIoredis(t: TestContext, port: number, options: IoredisOptions = {}): Promise<Redis> {
  const client = new Redis(port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...options });
  client.on("error", () => {});
  t.after(() => client.disconnect());
  await client.connect();
  return client;
}

/** True when a tool can be run; CI installs them (.ci/run), so there a missing one fails instead of skipping. */
export function haveTool(t: TestContext, command: string, args: string[], install: string): boolean {
  if (spawnSync(command, args, { stdio: "ignore" }).status === 0) return true;
  if (process.env.CI) throw new Error(`${command} is missing: ${install}`);
  t.skip(`${command} is missing (${install})`);
  return false;
}

/** Runs redis-cli with the token in REDISCLI_AUTH (no warning about -a); `input` is sent on its standard input. */
export async function redisCli(port: number, token: string | undefined, args: string[], input?: string): Promise<{ stdout: string; stderr: string }> {
  const env = { ...process.env, ...(token !== undefined && { REDISCLI_AUTH: token }) };
  const child = run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], { env, timeout: 10_000, encoding: "utf8" });
  if (input !== undefined) child.child.stdin!.end(input);
  else child.child.stdin!.end();
  return await child;
}
